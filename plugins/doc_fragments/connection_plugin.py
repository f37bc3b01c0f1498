# -*- coding: utf-8 -*-
# Documentation fragment for plugins (lookups): where each connection option may also come from
# (environment variable, ansible.cfg [vbr_enterprise_manager] key, ansible_vbr_em_* variable).
# Use it together with vbr.enterprise_manager.connection, which holds the descriptions and types.
# Mirrors module_utils/connection_options.py; a unit test fails when they differ.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
---
options:
  url:
    env:
      - name: VEEAM_EM_URL
    ini:
      - section: vbr_enterprise_manager
        key: url
    vars:
      - name: ansible_vbr_em_url
  username:
    env:
      - name: VEEAM_EM_USERNAME
    ini:
      - section: vbr_enterprise_manager
        key: username
    vars:
      - name: ansible_vbr_em_username
  password:
    env:
      - name: VEEAM_EM_PASSWORD
    ini:
      - section: vbr_enterprise_manager
        key: password
    vars:
      - name: ansible_vbr_em_password
  validate_certs:
    env:
      - name: VEEAM_EM_VALIDATE_CERTS
    ini:
      - section: vbr_enterprise_manager
        key: validate_certs
    vars:
      - name: ansible_vbr_em_validate_certs
  ca_path:
    env:
      - name: VEEAM_EM_CA_PATH
    ini:
      - section: vbr_enterprise_manager
        key: ca_path
    vars:
      - name: ansible_vbr_em_ca_path
  timeout:
    env:
      - name: VEEAM_EM_TIMEOUT
    ini:
      - section: vbr_enterprise_manager
        key: timeout
    vars:
      - name: ansible_vbr_em_timeout
  retries:
    env:
      - name: VEEAM_EM_RETRIES
    ini:
      - section: vbr_enterprise_manager
        key: retries
    vars:
      - name: ansible_vbr_em_retries
  api_version:
    env:
      - name: VEEAM_EM_API_VERSION
    ini:
      - section: vbr_enterprise_manager
        key: api_version
    vars:
      - name: ansible_vbr_em_api_version
  response_format:
    env:
      - name: VEEAM_EM_RESPONSE_FORMAT
    ini:
      - section: vbr_enterprise_manager
        key: response_format
    vars:
      - name: ansible_vbr_em_response_format
'''
