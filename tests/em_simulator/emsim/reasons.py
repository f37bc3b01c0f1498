# Failure and warning texts for task sessions. They are our own wording, shaped like what EM reports:
# several sentences, line breaks, Windows paths, brackets, braces, quotes, `&`, `<`, `;`, `,` and sometimes
# a trailing space. Placeholders in braces are filled per task (see dataset._reason).
from __future__ import annotations

FAILED = [
    'Error: Repository volume [E:] ran out of free space while writing the increment.\n'
    'Target file: E:\\Backups\\{job_dir}\\{vm}.vm-{moref}D{date}T{hms}.vib\n'
    'The data mover {{writer:{site}}} stopped the task. ',
    'Error: The hypervisor refused to create a snapshot of {vm}: quiescing timed out after 300 s (host [{host}]). ',
    'Error: Reading disk 1 of {vm} failed with access code 13 (permission denied on the datastore file).\n'
    "Could not open '[{ds}] {vm}/{vm}.vmdk' for reading.\n"
    'The transfer to the target data mover was cancelled {{stage: read}}.',
    'Disk 1 skipped (0 B)',
    'Error: The share [\\\\{ip}\\ADMIN$] cannot be reached with account [CORP\\svc-backup].\n'
    'No network route to the guest (code 53).',
    'Error: Guest script "C:\\Scripts\\pre-freeze.cmd" returned 1 & application-aware processing is set to <require success>; '
    'the task was stopped (no retry, see the job log).\nGuest OS of {vm} not processed. ',
    'Error: No processing slot became free within 60 minutes.\n'
    'Proxy [proxy-{site}01] is offline or busy with other tasks.',
    'Error: {vm} (vm-{moref}) is no longer registered on host [{host}]; it was deleted, moved or renamed.',
]

WARNING = [
    'Transaction logs of the SQL Server instance were not truncated: the guest at [{ip}] did not answer on the RPC port. '
    '(Guest helper call [QueryVersion] timed out).',
    'Incremental change tracking is off for this VM: existing snapshots must be removed first.',
    'Snapshot creation was retried once (first attempt timed out)',
    'Removing the snapshot took 00:14:31, longer than usual.\nCheck the latency of datastore [{ds}].',
    'Guest file indexing for {vm} was skipped, the guest interaction proxy could not reach it. ',
    'Disk 2 (0 B) read at 0 KB/s [changed blocks only]',
]

# Backup copy tasks (they copy restore points that exist already, so they fail for target-side reasons).
COPY_FAILED = [
    'Error: The target repository [{site}-offsite] did not answer within 30 minutes; the copy interval ended '
    'before the restore point of {vm} was transferred.\nThe next interval will retry it. ',
    'Error: Access to the object storage bucket was denied (code 403) while writing {vm}.\n'
    'Check the credentials of repository [{site}-s3-immutable].',
]
COPY_WARNING = [
    'Warning: The restore point of {vm} was copied, but the retention of the target chain could not be applied '
    '(file in use: \\\\{ip}\\backup$\\{job_dir}\\{vm}.vbk). ',
]
