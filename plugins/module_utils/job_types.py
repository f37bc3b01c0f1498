# -*- coding: utf-8 -*-
# The job types of EM job sessions (BackupJobSession JobType), which ones are backup copies, and the
# user's job_type values in any letter case. A task session has no job type of its own: it is its
# parent job session's (see job_sessions.py).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError

# The JobType values EM documents (GET /backupSessions/{ID}); EM may send others, which are passed through.
JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup',
             'AgentManagement', 'NasBackup')
# Copies of restore points made by other jobs: their success says nothing about the VM's backup.
# Every other type, and an unknown one (None), counts as a primary backup.
COPY_JOB_TYPES = ('BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker')

_CANONICAL = dict((name.lower(), name) for name in JOB_TYPES)
_COPY = frozenset(name.lower() for name in COPY_JOB_TYPES)


def is_copy(job_type):
    """Whether a job type (any letter case; None for unknown) is a backup copy type."""
    return job_type is not None and str(job_type).lower() in _COPY


def normalize_job_types(values, option='job_type'):
    """The documented spellings of values given in any letter case, order kept, duplicates dropped;
    anything else is an EMInputError that lists the valid values."""
    result = []
    for value in values or []:
        name = _CANONICAL.get(str(value).strip().lower())
        if name is None:
            raise EMInputError('The %s value %r is not a job type Enterprise Manager documents.' % (option, value),
                               hint='Use one or more of (any letter case): %s. A job type EM reports beyond these '
                                    'is returned in job_type but cannot be selected.' % ', '.join(JOB_TYPES))
        if name not in result:
            result.append(name)
    return result
