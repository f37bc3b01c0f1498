# -*- coding: utf-8 -*-
# Documentation fragment of the EM connection options.
# Written by tools/option_docs.py from plugins/module_utils/connection_options.py: edit the table and run
# `python tools/option_docs.py`; tests/unit/plugins/test_option_docs.py fails when this file is stale.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # The connection options (modules and plugins): descriptions, types, defaults.
    DOCUMENTATION = r'''
---
options:
  url:
    description:
      - URL of the Enterprise Manager REST API, for example V(https://em.example.com:9398); without a port, V(https) uses V(9398) and
        V(http) V(9399). The path may only be V(/) or V(/api).
      - Required. Falls back to the E(VEEAM_EM_URL) environment variable.
    type: str
  username:
    description:
      - Account used to log on to Enterprise Manager, as V(DOMAIN\\user) or V(user@domain), with an EM role (Portal Administrator, Portal
        User or Restore Operator).
      - Required. Falls back to the E(VEEAM_EM_USERNAME) environment variable.
    type: str
  password:
    description:
      - Password of O(username). It is never logged or returned.
      - Required. Falls back to the E(VEEAM_EM_PASSWORD) environment variable.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of Enterprise Manager.
      - 'EM often uses a self-signed certificate: prefer O(ca_path) over setting this to V(false).'
      - Falls back to the E(VEEAM_EM_VALIDATE_CERTS) environment variable.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file (or OpenSSL hashed directory) with the CA certificate(s) that signed the EM certificate. When not set, the CA bundle
        of the Python C(requests) library is used.
      - Falls back to the E(VEEAM_EM_CA_PATH) environment variable.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each answer from Enterprise Manager.
      - Falls back to the E(VEEAM_EM_TIMEOUT) environment variable.
    type: int
    default: 30
  retries:
    description:
      - How many times a read is repeated, with exponential backoff, after HTTP 500, 502, 503 or 504, a connection reset or a read timeout.
        V(0) disables retries.
      - Falls back to the E(VEEAM_EM_RETRIES) environment variable.
    type: int
    default: 3
  api_version:
    description:
      - 'EM REST API version to log on with: V(latest) or a version name such as V(v1_7) (EM 12 and 13), V(v1_6) (EM 11) or V(v1_5)
        (EM 10).'
      - Falls back to the E(VEEAM_EM_API_VERSION) environment variable.
    type: str
    default: latest
  response_format:
    description:
      - 'Representation requested from Enterprise Manager: V(xml) (the EM default) or V(json), which is a little faster on big listings.
        Both give the same results.'
      - Falls back to the E(VEEAM_EM_RESPONSE_FORMAT) environment variable.
    type: str
    default: xml
    choices:
      - xml
      - json
'''

    # Plugins only: where each option may also come from (vbr.enterprise_manager.connection.plugins).
    PLUGINS = r'''
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

    # Inventory plugins: the environment and ansible.cfg, no variables (vbr.enterprise_manager.connection.inventory).
    INVENTORY = r'''
---
options:
  url:
    env:
      - name: VEEAM_EM_URL
    ini:
      - section: vbr_enterprise_manager
        key: url
  username:
    env:
      - name: VEEAM_EM_USERNAME
    ini:
      - section: vbr_enterprise_manager
        key: username
  password:
    env:
      - name: VEEAM_EM_PASSWORD
    ini:
      - section: vbr_enterprise_manager
        key: password
  validate_certs:
    env:
      - name: VEEAM_EM_VALIDATE_CERTS
    ini:
      - section: vbr_enterprise_manager
        key: validate_certs
  ca_path:
    env:
      - name: VEEAM_EM_CA_PATH
    ini:
      - section: vbr_enterprise_manager
        key: ca_path
  timeout:
    env:
      - name: VEEAM_EM_TIMEOUT
    ini:
      - section: vbr_enterprise_manager
        key: timeout
  retries:
    env:
      - name: VEEAM_EM_RETRIES
    ini:
      - section: vbr_enterprise_manager
        key: retries
  api_version:
    env:
      - name: VEEAM_EM_API_VERSION
    ini:
      - section: vbr_enterprise_manager
        key: api_version
  response_format:
    env:
      - name: VEEAM_EM_RESPONSE_FORMAT
    ini:
      - section: vbr_enterprise_manager
        key: response_format
'''
