# -*- coding: utf-8 -*-
# The file names the backup_vms inventory plugin reads. Ansible asks a plugin whether it reads a file
# (verify_file) and, when it does not, says only that the source "could not be verified": for a file
# that names this plugin the user needs to hear which names the plugin accepts. Controller only.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

# `plugin: backup_vms` or `plugin: vbr.enterprise_manager.backup_vms`, quoted or not, a comment after it
_NAMES_THIS_PLUGIN = re.compile(r'''^plugin:\s*(['"]?)(vbr\.enterprise_manager\.)?backup_vms\1\s*(#.*)?$''', re.MULTILINE)
_READ_AT_MOST = 65536  # a source file is small; a big YAML file elsewhere is not read whole


def accepted_file_name(path, endings, warn):
    """True when the name of path ends in one of endings; else False, and warn(message) when the file is YAML
    that names this plugin (so a file meant for another plugin gets no warning)."""
    name = str(path)
    if name.endswith(endings):
        return True
    if name.endswith(('.yml', '.yaml')) and _names_this_plugin(name):
        stem = os.path.basename(name).rsplit('.', 1)[0]
        warn('The inventory source %s names the plugin vbr.enterprise_manager.backup_vms, which reads only files whose '
             'names end in %s: rename it, for example to %s.%s.' % (name, ' or '.join(endings), stem, endings[0]))
    return False


def _names_this_plugin(path):
    try:
        with open(path, 'rb') as handle:
            text = handle.read(_READ_AT_MOST).decode('utf-8', 'replace')
    except (IOError, OSError):
        return False
    return _NAMES_THIS_PLUGIN.search(text) is not None
