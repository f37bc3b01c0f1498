# -*- coding: utf-8 -*-
# Shared fixtures of the unit tests: a strict fake EM transport (checked at teardown) and a factory for
# EMClient instances that use it, with recorded (not real) sleeps between retries. A client left with
# warnings fails its test: a test that expects a warning asserts it and takes it off client.warnings.

from __future__ import annotations

import pytest

from ansible_collections.vbr.enterprise_manager.plugins.module_utils.client import EMClient
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.em_bodies import connection_params
from ansible_collections.vbr.enterprise_manager.tests.unit.plugins.module_utils.fake_transport import FakeTransport


@pytest.fixture
def em():
    """The strict fake transport; every expectation must be consumed, nothing else may be sent."""
    transport = FakeTransport()
    yield transport
    transport.assert_done()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(em, sleeps):
    made = []

    def factory(**overrides):
        client = EMClient(connection_params(**overrides), adapter=em, sleep=sleeps.append)
        made.append(client)
        return client
    yield factory
    left = [warning for client in made for warning in client.warnings]
    assert not left, 'warnings no test expected: %s' % left
