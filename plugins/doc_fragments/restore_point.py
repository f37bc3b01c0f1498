# -*- coding: utf-8 -*-
# Documentation fragment of the restore point selection options.
# Written by tools/option_docs.py from plugins/module_utils/restore_point_options.py: edit the table and run
# `python tools/option_docs.py`; tests/unit/plugins/test_option_docs.py fails when this file is stale.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # The options of the restore_point_info module (vbr.enterprise_manager.restore_point).
    DOCUMENTATION = r'''
---
options:
  vm_name:
    description:
      - 'Only restore points of machines with these names: VMs as EM displays them (C(VmDisplayName)), and computers of Veeam Agent
        backups (C(ComputerName)), in any letter case.'
      - Names that match no selected restore point are returned in RV(unmatched) and named in a warning.
      - Give a YAML list for names that contain a comma. A long list is split over several queries, each request URL short enough for
        EM and proxies.
    type: list
    elements: str
  kind:
    description:
      - 'Which restore points to read: V(vm) (EM C(VmRestorePoint)) and V(agent) (C(AgentRestorePoint), Veeam Agent backups of physical
        computers).'
    type: list
    elements: str
    default:
      - vm
      - agent
    choices:
      - vm
      - agent
  backup_server_name:
    description:
      - Only restore points on these backup servers, named as EM lists them.
    type: list
    elements: str
  point_type:
    description:
      - 'Only restore points of these types, in any letter case: V(Full), V(Increment), V(ReverseIncrement) (agent points are V(Full)
        or V(Increment)).'
    type: list
    elements: str
  since:
    description:
      - Only restore points created at or after this time.
      - ISO 8601 with V(Z) or an offset (V(2025-08-15T06:00:00Z), V(2025-08-15T08:00:00+02:00)), converted to UTC; a time without a
        zone is rejected.
      - Or an age before now, a number followed by V(s), V(m), V(h), V(d) or V(w), for example V(24h) or V(7d).
    type: str
  until:
    description:
      - Only restore points created at or before this time. Same forms as O(since); it must not be before O(since).
    type: str
  latest_per_vm:
    description:
      - Return only the newest restore point of each machine (per kind; a VM is identified by its hierarchy reference, which EM also
        uses in jobs, else by its name).
      - With O(vm_name) and no O(since), reading (newest first) stops at the end of the result page on which every named machine was
        seen, instead of reading their whole retention.
    type: bool
    default: false
  limit:
    description:
      - Return at most this many restore points (the newest). RV(truncated) tells whether more were selected.
    type: int
'''
