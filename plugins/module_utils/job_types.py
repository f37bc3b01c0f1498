# -*- coding: utf-8 -*-
# The job types of EM job sessions (JobType of a BackupJobSession) and the one rule the collection
# judges backups by: backup copy jobs are copies, every other type (and an unknown one) is a primary
# backup. A copy job's task session often runs after a failed primary backup and succeeds with
# TotalSize 0, so a VM's backup state is read from its primary sessions only. Shared by the inventory
# plugin and the module/lookup/role (issue 13), so all of them draw the line in the same place.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.option_table import Option
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.query_filter import normalize_enum

# The documented values, in the spelling EM sends (other values are passed through as EM sends them).
JOB_TYPES = ('Backup', 'BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker', 'AgentBackup', 'AgentManagement', 'NasBackup')
COPY_JOB_TYPES = ('BackupCopy', 'ImmediateBackupCopy', 'ImmediateBackupCopyWorker')

_COPY = frozenset(name.lower() for name in COPY_JOB_TYPES)

JOB_TYPE_OPTION = Option('job_type', 'list', [
    'Only task sessions of job sessions of these types (the C(JobType) of the parent job session), in any letter case.',
    'One or more of %s; other values are rejected.' % ', '.join('V(%s)' % name for name in JOB_TYPES),
    'V(BackupCopy), V(ImmediateBackupCopy) and V(ImmediateBackupCopyWorker) are backup copy jobs; every other type is a primary backup.',
], elements='str')


def is_copy(job_type):
    """True for a backup copy job type (any letter case); None and unknown types are primary backups."""
    return job_type is not None and str(job_type).lower() in _COPY


def is_primary(job_type):
    return not is_copy(job_type)


def normalize_job_types(values):
    """The job_type option's values in EM's spelling, duplicates dropped; unknown ones are an EMInputError."""
    return normalize_enum('job_type', values, JOB_TYPES)
