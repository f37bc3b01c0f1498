# HTTPS with --tls-dir: the CA verifies the server as 127.0.0.1 and localhost only, an unrelated CA and
# other host names fail, plain HTTP to the TLS port fails, and both certificate tools work.
from __future__ import annotations

import os
import socket
import ssl
import stat

import pytest
import requests
from cryptography import x509

from sim_helpers import xml


@pytest.fixture(scope='module', params=['cryptography', 'openssl'])
def tls_sim(request, sim_factory, tmp_path_factory):
    directory = str(tmp_path_factory.mktemp('tls-' + request.param))
    return sim_factory('--tls-dir', directory, '--tls-tool', request.param, sessions=200)


def handshake(sim, server_hostname, cafile):
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(('127.0.0.1', sim.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.version()


def test_files_and_subject_alternative_names(tls_sim):
    for name in ('ca.pem', 'server.pem', 'server-key.pem', 'other-ca.pem'):
        assert os.path.getsize(os.path.join(tls_sim.tls_dir, name)) > 0
    assert stat.S_IMODE(os.stat(os.path.join(tls_sim.tls_dir, 'server-key.pem')).st_mode) == 0o600
    with open(os.path.join(tls_sim.tls_dir, 'server.pem'), 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ['localhost']
    assert [str(address) for address in names.get_values_for_type(x509.IPAddress)] == ['127.0.0.1']


def test_https_verifies_with_the_ca(tls_sim):
    response = tls_sim.get('/api/')
    assert response.status_code == 200 and tls_sim.base.startswith('https://')
    links = xml(response)['EnterpriseManager']['Links']['Link']
    assert all(link['@Href'].startswith('https://127.0.0.1:%d/api/' % tls_sim.port) for link in links)
    via_name = requests.get('https://localhost:%d/api/' % tls_sim.port, verify=tls_sim.verify(), timeout=10)
    assert via_name.status_code == 200 and 'https://localhost:%d/api/' % tls_sim.port in via_name.text
    token, logon = tls_sim.logon()
    assert tls_sim.get('/api/backupTaskSessions', token).status_code == 200
    assert tls_sim.logoff(token, logon).status_code == 204
    assert handshake(tls_sim, 'localhost', tls_sim.verify()) and handshake(tls_sim, '127.0.0.1', tls_sim.verify())


def test_other_names_and_other_cas_fail(tls_sim):
    for name in ('em.example', '127.0.0.2', 'localhost.localdomain'):
        with pytest.raises(ssl.SSLCertVerificationError) as info:
            handshake(tls_sim, name, tls_sim.verify())
        assert 'mismatch' in str(info.value) or "doesn't match" in str(info.value)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_sim.url('/api/'), verify=os.path.join(tls_sim.tls_dir, 'other-ca.pem'), timeout=10)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_sim.url('/api/'), timeout=10)  # the system CAs do not know the simulator's CA


def test_plain_http_to_the_tls_port_fails(tls_sim):
    with pytest.raises(requests.ConnectionError):
        requests.get('http://127.0.0.1:%d/api/' % tls_sim.port, timeout=10)
    assert tls_sim.get('/api/').status_code == 200  # the server carries on
