# -*- coding: utf-8 -*-
# Backup copy job sessions in the compliance report: they are reported beside the VMs' backups (a
# count, the newest copy session per copy job and VM, failed copies among the failed sessions) but
# never make a VM compliant: a copy's Success (TotalSize 0) says nothing about the VM's own backup
# (the verdict, verdict.py, judges that, and keeps the newest copy as latest_copy).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.job_types import is_copy


def split_copies(entries):
    """(primary backup sessions, backup copy sessions) of entries, order kept. A session without a
    job_type (older facts, or EM did not say) counts as a primary backup."""
    primary = []
    copies = []
    for entry in entries:
        (copies if is_copy(entry.get('job_type')) else primary).append(entry)
    return primary, copies


def copy_rows(copies, summary_of):
    """The newest copy session per copy job and VM (copies newest first), failures first."""
    rows = {}
    for session in copies:
        key = ((session.get('job_name') or '').lower(), (session.get('vm_name') or '').lower())
        if key not in rows:
            rows[key] = {'job_name': session.get('job_name'), 'vm_name': session.get('vm_name'),
                         'job_type': session.get('job_type'), 'latest': summary_of(session)}

    def rank(row):
        return row['latest'].get('result') != 'Failed', (row['vm_name'] or '').lower(), (row['job_name'] or '').lower()
    return sorted(rows.values(), key=rank)


def copy_summary(copies, failed):
    """The copy counts of the summary: copy sessions read, and failed ones among the failed sessions."""
    return {'copy_sessions': len(copies), 'failed_copy_sessions': sum(1 for s in failed if is_copy(s.get('job_type')))}
