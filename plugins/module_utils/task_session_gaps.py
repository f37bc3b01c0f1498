# -*- coding: utf-8 -*-
# What a task session selection did not find, said rather than passed over: the vm_name, job_name and
# backup_server_name values no selected session has (`unmatched`, one warning), and `wait` on IDs or a
# job session that match nothing (a typo must not pass a "wait for the job" step); and the sessions still
# running at wait_timeout.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.errors import EMNotFoundError, EMWaitTimeoutError
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.row_check import job_name_keys, name_key
from ansible_collections.vbr.enterprise_manager.plugins.module_utils.text_lists import shown_list

# (option, fact key, keys of a fact value, attribute of the Selection); names compare as row_check.py does
NAME_OPTIONS = (
    ('vm_name', 'vm_name', lambda value: {name_key(value)}, 'vm_names'),
    ('job_name', 'job_name', job_name_keys, 'job_names'),
    ('backup_server_name', 'backup_server_name', lambda value: {name_key(value)}, 'backup_server_names'),
)
NAME_OPTION_NAMES = tuple(option for option, _key, _keys, _attribute in NAME_OPTIONS)

# What wait does when nothing was selected.
POLL = 'poll'  # a job session whose task sessions EM has not listed yet: poll until wait_timeout
FAIL = 'fail'  # task session IDs that match nothing: they will not appear later
WARN = 'warn'  # other options narrow the selection: nothing may be the right answer


def unmatched_names(search, selected, unread=()):
    """option -> the values of it (as given) that no selected session has, for the name options given
    whose reading was complete: not those in unread (the reading stopped before every page), nor one
    whose fact EM did not send on some session (that session may be of any name)."""
    unmatched = {}
    for option, key, fact_keys, attribute in NAME_OPTIONS:
        wanted = getattr(search, attribute)
        if not wanted or option in unread:
            continue
        values = [facts.get(key) for facts in selected]
        if any(value is None for value in values):
            continue
        seen = set()
        for value in set(values):
            seen.update(fact_keys(value))
        unmatched[option] = [name for name in wanted if name_key(name) not in seen]
    return unmatched


def _quoted(names):
    return shown_list(names, lambda name: repr(str(name)))


def unmatched_warning(unmatched):
    """The one warning naming the unmatched values, or None."""
    parts = ['%s %s' % (option, _quoted(names)) for option, names in unmatched.items() if names]
    if not parts:
        return None
    return ('No selected task session has %s (names compared in any letter case, within the other options); they are '
            'listed in unmatched. Check the spelling against what Enterprise Manager shows, or the other options.'
            % '; '.join(parts))


def _narrowing(search):
    """The options besides id and job_session_id that narrow the selection."""
    given = [option for option, _key, _keys, attribute in NAME_OPTIONS if getattr(search, attribute)]
    given += [option for option, value in (('state', search.states), ('result', search.results), ('job_type', search.job_types),
                                           ('since', search.since), ('until', search.until), ('filter', search.raw_filter))
              if value]
    return given


def empty_wait(search):
    """What wait does when nothing was selected: POLL, FAIL, WARN, or None (no ID selection: nothing to say)."""
    if not (search.ids or search.job_session_uids):
        return None
    if _narrowing(search):
        return WARN
    return FAIL if search.ids else POLL


def _ids_given(search):
    if search.ids:
        return 'id', search.id_inputs
    return 'job_session_id', [uid.rsplit(':', 1)[-1] for uid in search.job_session_uids]


_listing = shown_list


def no_task_session_error(search):
    """FAIL: task session IDs that match no task session."""
    return EMNotFoundError('wait=true: no task session has the id given (%s), so there is nothing to wait for.'
                           % _listing(search.id_inputs),
                           hint='Check the IDs: each is the id of a task session (as this module returns it), not of a job '
                                'session (give those in job_session_id). EM keeps task sessions for a limited time.')


def no_task_session_timeout(search):
    """POLL at wait_timeout: job sessions that still have no task session."""
    ids = [uid.rsplit(':', 1)[-1] for uid in search.job_session_uids]
    return EMWaitTimeoutError('wait=true: no task session of job session %s appeared within wait_timeout=%s seconds.'
                              % (_listing(ids), search.wait_timeout),
                              hint='Check job_session_id: each is the ID of a job run (the job_session_id of a task session), '
                                   'not of a job or a task session. EM lists the task sessions of a run shortly after it '
                                   'starts: raise wait_timeout if the run has only just started.')


def nothing_warning(search):
    """WARN: an ID selection that other options narrowed to nothing."""
    option, values = _ids_given(search)
    return ('wait=true: no task session of the %s given (%s) satisfies the other options (%s), so nothing was waited for. '
            'If sessions were expected, check %s.' % (option, _listing(values), ', '.join(_narrowing(search)), option))


def _running(facts):
    return '%s (%s, job %s, id %s)' % (facts.get('vm_name'), facts.get('state'), facts.get('job_name'), facts.get('id'))


def still_running_error(search, running):
    """wait_timeout passed while these selected (or watched) sessions still run."""
    return EMWaitTimeoutError('%d task session(s) still running after wait_timeout=%s seconds: %s.'
                              % (len(running), search.wait_timeout, shown_list(running, _running)),
                              hint='Raise wait_timeout, or check these sessions in Veeam Backup & Replication.',
                              running=[s.get('id') for s in running])
