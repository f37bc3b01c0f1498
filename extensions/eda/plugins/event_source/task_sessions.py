# -*- coding: utf-8 -*-
# Event-Driven Ansible source vbr.enterprise_manager.task_sessions: polls the EM query service for backup task
# sessions that finished since the last poll and puts each one on the rulebook's queue once.
# Thin glue: the arguments, the polls and the logon session are plugins/plugin_utils/session_poller.py's.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
name: task_sessions
short_description: Finished Veeam backup task sessions as Event-Driven Ansible events
version_added: 0.2.0
description:
  - >-
    Polls Veeam Backup Enterprise Manager (EM) every O(interval) seconds for the backup task sessions that
    finished (by their end time) since the previous poll, and puts each one on the rulebook's queue once, oldest
    first, as C({"vbr_em": <facts>, "meta": {"hosts": <VM name>}}). The facts are the same dictionary as one item
    of the C(backup_task_sessions) list of the vbr.enterprise_manager.backup_task_session_info module, C(job_type)
    and C(is_retry) included (those of the parent job session; null when EM does not return it, which is logged).
  - Each poll is one EM query for the sessions that ended at or after the newest end time seen so far minus
    O(overlap) seconds, filtered by EM on O(results), O(job_name) and O(vm_name); only name lists too long for one
    request URL are split over several queries. A poll that finds nothing new costs that one request. A poll with
    new sessions costs one more, a C(type=BackupJobSession) query by UID of their job sessions not read yet (for
    C(job_type) and C(is_retry); more than one only when the UIDs do not fit in one URL); the job sessions read are
    remembered across polls (up to 10,000, then the memory starts afresh).
  - Sessions seen before are recognised by their ID and end time and not sent again; only the sessions inside the
    overlap window are remembered, so memory stays bounded.
  - Sessions still running are not events. A session that ended before O(since) is never an event.
  - One EM logon session serves all polls; when EM has expired it (15 minutes idle), the next poll logs on again.
    The source logs off when it is cancelled (a rulebook C(shutdown) action, or the engine stopping its sources).
  - EM faults (unreachable, HTTP 5xx, an expired logon session, answers that are not EM's) are logged without
    secrets and retried at the next poll, with the wait doubling after each failed poll up to 5 minutes; they never
    end the rulebook. Bad arguments, and a first logon that EM rejects (wrong password or role, wrong URL, TLS
    verification failure), end the source at start with a message that says what to fix.
author:
  - vbr.enterprise_manager maintainers (@vbr-ansible)
requirements:
  - ansible-rulebook (a decision environment) with ansible-core and the Python libraries C(requests) and C(xmltodict)
options:
  url:
    description:
      - URL of the Enterprise Manager REST API, for example V(https://em.example.com:9398).
      - Falls back to the E(VEEAM_EM_URL) environment variable, as do all connection options below (E(VEEAM_EM_<NAME>)),
        when the argument is absent, null or empty.
    type: str
  username:
    description:
      - Account used to log on to Enterprise Manager, as V(DOMAIN\\user) or V(user@domain).
      - Falls back to E(VEEAM_EM_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). It is never logged. Falls back to E(VEEAM_EM_PASSWORD).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of Enterprise Manager; prefer O(ca_path) over V(false). Falls back to E(VEEAM_EM_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the EM certificate. Falls back to E(VEEAM_EM_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each answer from EM. Falls back to E(VEEAM_EM_TIMEOUT).
    type: int
    default: 30
  retries:
    description:
      - How many times a read is repeated inside one poll after a transient failure. Falls back to E(VEEAM_EM_RETRIES).
    type: int
    default: 3
  api_version:
    description:
      - EM REST API version to log on with, V(latest) or a name such as V(v1_7). Falls back to E(VEEAM_EM_API_VERSION).
    type: str
    default: latest
  response_format:
    description:
      - V(xml) or V(json). Falls back to E(VEEAM_EM_RESPONSE_FORMAT).
    type: str
    default: xml
    choices: [xml, json]
  interval:
    description:
      - Seconds between two polls (a number greater than 0).
    type: float
    default: 60
  results:
    description:
      - Only task sessions with these results, in any letter case. One or more of V(Success), V(Warning), V(Failed).
    type: list
    elements: str
    default: [Failed, Warning]
  job_name:
    description:
      - Only task sessions of jobs with these names (exact, as EM compares them).
    type: list
    elements: str
  job_type:
    description:
      - Only task sessions whose parent job session has one of these C(JobType) values, in any letter case
        (V(Backup), V(BackupCopy), V(ImmediateBackupCopy), V(ImmediateBackupCopyWorker), V(AgentBackup),
        V(AgentManagement), V(NasBackup)).
      - EM cannot filter task sessions on the job type, so the source keeps the new sessions whose C(job_type) (read
        from their job sessions for every event anyway, see above) is one of these. A session whose job session EM
        does not return is logged and not sent; the next poll looks at it again while it is inside the overlap window.
    type: list
    elements: str
  vm_name:
    description:
      - Only task sessions of VMs with these names (as EM displays them).
    type: list
    elements: str
  since:
    description:
      - Where the first poll starts. By default the start of the source, so a restart does not replay history.
      - An ISO 8601 time with V(Z) or an offset (V(2025-08-15T06:00:00Z)), or an age before now such as V(30m) or
        V(2h), replays the sessions that finished since then.
    type: str
  overlap:
    description:
      - Seconds before the newest end time seen that every poll reads again, to catch sessions EM records late.
    type: int
    default: 120
notes:
  - The source runs where ansible-rulebook runs (the decision environment), which must reach EM.
  - ansible-rulebook ends at once on SIGINT and SIGTERM without cancelling its sources, so a killed rulebook does
    not log off; EM expires that one logon session after 15 minutes idle. End a rulebook with a C(shutdown) action
    to log off cleanly.
  - All times are UTC in ISO 8601 and end in V(Z). The window follows EM's clock (the end times it reports), except
    the default O(since), which is the clock of the host running the source; keep both in time (NTP).
seealso:
  - name: The collection's EDA guide
    description: When polling fits, how far it scales, the credential type and the syslog alternative (docs/eda.md).
    link: https://github.com/vbr-ansible/enterprise_manager/blob/main/docs/eda.md
'''

EXAMPLES = r'''
- name: React to failed Veeam backups
  hosts: localhost
  sources:
    - name: Finished task sessions
      vbr.enterprise_manager.task_sessions:
        url: https://em.example.com:9398
        username: "{{ veeam_em_username }}"
        password: "{{ veeam_em_password }}"
        interval: 60
        results: [Failed]
        job_name: [Nightly SQL]
  rules:
    - name: Retry the VM's backup
      condition: event.vbr_em.result == "Failed"
      throttle:
        once_within: 15 minutes
        group_by_attributes:
          - event.vbr_em.job_name
      action:
        run_playbook:
          name: retry_backup.yml
'''

import os
import sys


def _collections_root():
    """The directory holding ansible_collections/ of this collection's installed copy: ansible-rulebook runs a
    source file with runpy, outside Ansible's collection loader, so the collection's own module_utils are found
    through sys.path (first, so that another copy of the collection elsewhere cannot shadow them)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = here.split(os.sep)
    if len(parts) > 7 and parts[-7] == 'ansible_collections':  # .../ansible_collections/vbr/enterprise_manager/extensions/eda/plugins/event_source
        return os.sep.join(parts[:-7]) or os.sep
    return None


_ROOT = _collections_root()
if _ROOT and _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMError
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.session_poller import logger, run
from ansible_collections.vbr.enterprise_manager.plugins.plugin_utils.source_errors import frames_at_debug


async def main(queue, args):
    """The EDA source entry point: check the arguments, poll until cancelled, then log off
    (plugins/plugin_utils/session_poller.py does the work)."""
    try:
        await run(queue, args)
    except EMError as exc:  # what to fix, in one line; the stack frames only with -vv
        raise frames_at_debug(exc, logger.name) from None
