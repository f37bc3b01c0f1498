# -*- coding: utf-8 -*-
# A strict fake HTTP transport for unit tests: a requests adapter that holds an ordered list of
# expected requests (method + URL matcher) and their answers. An unexpected request, or one that fails
# its expectation's check, fails the test at once and again at teardown (in case the client swallowed
# the error, as the logoff does); an unconsumed expectation fails at teardown. Responses carry real header objects, so requests' cookie handling runs for real.

from __future__ import annotations

import email.parser
import http.client
import re

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class _Headers(object):
    """What requests' cookie extraction reads from a urllib3 response: `_original_response.msg`."""

    def __init__(self, headers):
        text = ''.join('%s: %s\r\n' % (k, v) for k, v in headers)
        self.msg = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text + '\r\n')


class _Raw(object):
    def __init__(self, headers):
        self._original_response = _Headers(headers)

    def release_conn(self):
        pass

    def close(self):
        pass


class Expectation(object):
    def __init__(self, method, url, status=200, body=b'', content_type=None, headers=None, raises=None, check=None, reason=None,
                 respond=None):
        self.method = method
        self.respond = respond  # respond(request, transport) -> (body, content type), for an answer made from what was served
        self.url = url
        self.status = status
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.headers = list((headers or {}).items()) if isinstance(headers, dict) else list(headers or [])
        if content_type:
            self.headers.append(('Content-Type', content_type))
        self.raises = raises
        self.check = check
        self.reason = reason

    def matches(self, url):
        if callable(self.url):
            return bool(self.url(url))
        if isinstance(self.url, re.Pattern):
            return bool(self.url.fullmatch(url))
        return url == self.url

    def describe(self):
        pattern = self.url.pattern if isinstance(self.url, re.Pattern) else self.url
        return '%s %s' % (self.method, pattern)


class Call(object):
    def __init__(self, request, timeout, verify):
        self.method = request.method
        self.url = request.url
        self.headers = CaseInsensitiveDict(request.headers)
        self.timeout = timeout
        self.verify = verify

    def __repr__(self):
        return 'Call(%s %s)' % (self.method, self.url)


class FakeTransport(BaseAdapter):
    """Mount on a requests session (EMClient(params, adapter=FakeTransport()))."""

    def __init__(self):
        super(FakeTransport, self).__init__()
        self.expectations = []
        self.calls = []
        self.unexpected = []
        self.failed_checks = []
        self.served = []  # the bodies answered so far

    def expect(self, method, url, **kwargs):
        self.expectations.append(Expectation(method, url, **kwargs))
        return self

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.calls.append(Call(request, timeout, verify))
        if not self.expectations:
            self.unexpected.append('%s %s (nothing more was expected)' % (request.method, request.url))
            raise AssertionError('unexpected request: %s %s' % (request.method, request.url))
        expected = self.expectations[0]
        if expected.method != request.method or not expected.matches(request.url):
            self.unexpected.append('%s %s (expected %s)' % (request.method, request.url, expected.describe()))
            raise AssertionError('unexpected request: %s %s, expected %s' % (request.method, request.url, expected.describe()))
        self.expectations.pop(0)
        if expected.check is not None:
            try:
                expected.check(request)
            except Exception as exc:
                self.failed_checks.append('%s %s: %s: %s' % (request.method, request.url, type(exc).__name__, exc))
                raise
        if expected.raises is not None:
            raise expected.raises
        if expected.respond is not None:
            body, content_type = expected.respond(request, self)
            expected.body = body.encode('utf-8')
            expected.headers.append(('Content-Type', content_type))
        self.served.append(expected.body)
        response = requests.Response()
        response.status_code = expected.status
        response.reason = expected.reason or http.client.responses.get(expected.status, 'Unknown')
        response.headers = CaseInsensitiveDict(expected.headers)
        response._content = expected.body
        response._content_consumed = True
        response.url = request.url
        response.request = request
        response.raw = _Raw(expected.headers)
        response.encoding = None
        return response

    def close(self):
        pass

    @property
    def pending(self):
        return [e.describe() for e in self.expectations]

    def assert_done(self):
        assert not self.unexpected, 'unexpected requests: %s' % self.unexpected
        assert not self.failed_checks, 'requests that failed their check: %s' % self.failed_checks
        assert not self.expectations, 'expected requests never sent: %s' % self.pending
