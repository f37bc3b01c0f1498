# Fixtures of the simulator's tests: simulator processes (shared per option set, stopped at the end).
from __future__ import annotations

import pytest

from sim_helpers import Sim


@pytest.fixture(scope='session')
def sim_factory(tmp_path_factory):
    started = {}

    def start(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in started:
            started[key] = Sim(str(tmp_path_factory.mktemp('sim')), args, **kwargs)
        return started[key]

    yield start
    for sim in started.values():
        sim.request_stop()
    for sim in started.values():
        sim.wait_stopped()


@pytest.fixture(scope='session')
def sim(sim_factory):
    """The default simulator: 3000 task sessions, seed 7, clock 2025-10-12T14:00:00Z, XML/JSON, HTTP."""
    return sim_factory()


@pytest.fixture(scope='session')
def admin(sim):
    """A logon session on the default simulator, kept for the whole test run."""
    token, response = sim.logon()
    yield token
    sim.logoff(token, response)


@pytest.fixture(scope='session')
def catalog(sim):
    return sim.catalog()
