# -*- coding: utf-8 -*-
# Checks every scenario makes: no secret and no traceback anywhere in a run's output, log or results,
# and no logon session left on the server; plus readers for a failed or successful module result.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import quote

TRACEBACK = 'Traceback (most recent call last)'


def secret_values(accounts, issued, extra=()):
    """The password(s), Basic credentials, and every token and SessionId issued so far (plus URL-encoded forms)."""
    values = list(accounts.secrets) + list(extra)
    for value in issued.snapshot():
        values.append(value)
        if quote(value, safe='') != value:
            values.append(quote(value, safe=''))
    return [v for v in values if v]


def assert_clean(run, accounts, issued, extra=()):
    """Nothing secret and no Python traceback in stdout, stderr, the log file or the recorded results."""
    values = secret_values(accounts, issued, extra)
    assert issued.snapshot() or extra, 'no token was ever issued: the leak check would prove nothing'
    for where, text in run.texts().items():
        lowered = text.lower()
        for value in values:
            # case-insensitive: a GUID may be printed upper-case
            assert value.lower() not in lowered, 'a secret (%s...) leaked into %s' % (value[:3], where)
        assert TRACEBACK not in text, 'a traceback reached %s:\n%s' % (where, text[text.find(TRACEBACK):][:2000])


def assert_no_sessions(*servers):
    for server in servers:
        stats = server.stats()
        assert stats['active_sessions'] == 0, 'logon sessions left behind on %s: %s' % (server.url, stats)


def failure(record):
    """(msg, error dict) of a failed module result that failed cleanly (no exception, no raw stderr)."""
    result = record['result']
    assert record['status'] == 'failed', 'expected a failure, got %s: %s' % (record['status'], _short(result))
    for key in ('module_stderr', 'module_stdout'):
        assert not result.get(key), 'unclean failure (%s): %s' % (key, _short(result))
    # ansible-core records '(traceback unavailable)' when fail_json runs inside an except block; only a
    # real traceback is a failure here
    assert 'File "' not in str(result.get('exception') or ''), 'a traceback in the result: %s' % _short(result)
    msg = result.get('msg') or ''
    assert msg, 'failure without a message: %s' % _short(result)
    return msg, result.get('error') or {}


def success(record):
    result = record['result']
    assert record['status'] == 'ok', 'expected success, got %s: %s' % (record['status'], result.get('msg') or _short(result))
    return result


def _short(result):
    text = repr(result)
    return text if len(text) < 1500 else text[:1500] + '...'
