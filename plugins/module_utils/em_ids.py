# -*- coding: utf-8 -*-
# The IDs of EM objects: GUIDs, urn:veeam:<Type>:<GUID> values and the last segment of EM links.
# Shared by the transport (the logon session's ID) and the normaliser (the IDs of the facts).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import re

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMInputError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.representation import first_link

TASK_SESSION_URN = 'urn:veeam:BackupTaskSession:'
JOB_SESSION_URN = 'urn:veeam:BackupJobSession:'

_GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def is_guid(value):
    return bool(_GUID.match(value or ''))


def guid_from_urn(value):
    """The part after the last ':' of a urn:veeam:<Type>:<guid> value (the value itself when no ':')."""
    if not value:
        return None
    return str(value).rsplit(':', 1)[-1] or None


def id_from_href(href):
    """The last path segment of an EM link (…/backupServers/<id>?format=Entity -> <id>)."""
    if not href:
        return None
    path = str(href).split('?', 1)[0].split('#', 1)[0].rstrip('/')
    return path.rsplit('/', 1)[-1] or None


# Where to give the UID of an object of the other kind than the one an option (or term) takes.
_USE_INSTEAD = {
    JOB_SESSION_URN.lower(): 'for the task sessions of a job session use the job_session_id option of the backup_task_session_info module',
    TASK_SESSION_URN.lower(): 'for one task session use the id option (or a lookup term)',
}


def other_object_error(label, text, urn_prefix, accepted=None):
    """The EMInputError for the UID of another kind of EM object (urn:veeam:<Type>:...) where one of
    urn_prefix was expected; `label` is 'id value', 'term', ...; `accepted` what may be given instead."""
    found = text[:text.find(':', len('urn:veeam:')) + 1].lower() if text.count(':') >= 3 else ''
    other = JOB_SESSION_URN if urn_prefix == TASK_SESSION_URN else TASK_SESSION_URN
    use = _USE_INSTEAD.get(found, _USE_INSTEAD[other.lower()])
    return EMInputError('The %s %r is the UID of another kind of EM object, not %s<GUID>.' % (label, text[:80], urn_prefix),
                        hint='Give %s; %s.' % (accepted or 'a GUID or %s<GUID>' % urn_prefix, use))


def parse_object_id(value, urn_prefix, option):
    """A GUID given bare or as <urn_prefix><guid>, lower-cased; the UID of another kind of EM object or
    anything else is an EMInputError."""
    text = str(value).strip() if value is not None else ''
    candidate = text
    if text.lower().startswith(urn_prefix.lower()):
        candidate = text[len(urn_prefix):]
    elif text.lower().startswith('urn:veeam:'):
        raise other_object_error('%s value' % option, text, urn_prefix)
    if not is_guid(candidate):
        raise EMInputError('The %s value %r is not a valid ID.' % (option, value),
                           hint='Give a GUID such as 5b7e3c1a-9d24-4f6e-8a31-c2d40e6f9b17 or %s<GUID>.' % urn_prefix)
    return candidate.lower()


def logon_session_id(data, token):
    """The SessionId of a logon: from the LogonSession body (its SessionId, or its Delete link), else
    the token when it is the base64 of a GUID (so some EM versions make it); None when nothing says."""
    if isinstance(data, dict):
        if data.get('SessionId'):
            return str(data['SessionId']).strip()
        link = first_link(data, rel='Delete')
        if link and link.get('Href'):
            return id_from_href(link['Href'])
    try:
        decoded = base64.b64decode(token, validate=True).decode('ascii')
    except (ValueError, UnicodeDecodeError):
        decoded = ''
    return decoded if is_guid(decoded) else None
