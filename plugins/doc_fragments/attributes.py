# -*- coding: utf-8 -*-
# Documentation fragment of the attributes every module of the collection shares: each runs through the
# collection's action plugin (which fills connection options on the controller) and supports check mode. A module
# that does more than read says what check mode does in its own attributes.check_mode.details (its own wins).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
---
attributes:
  action:
    support: full
    details:
      - An action plugin fills unset connection options on the controller from the C(ansible_vbr_em_*) variables, the
        E(VEEAM_EM_*) environment of the controller and the C([vbr_enterprise_manager]) section of C(ansible.cfg).
  async:
    support: full
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: The module only reads; it does the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
'''
