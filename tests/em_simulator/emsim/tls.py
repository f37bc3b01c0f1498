# --tls-dir: a throw-away CA and a server certificate for 127.0.0.1 and localhost only (so connecting under
# any other name is a host name mismatch), plus an unrelated CA for negative tests. Made with the
# `cryptography` package when it is importable, else with the openssl command line tool.
from __future__ import annotations

import datetime
import importlib.util
import ipaddress
import os
import ssl
import subprocess
import tempfile

FILES = ('ca.pem', 'server.pem', 'server-key.pem', 'other-ca.pem')


def make_certificates(directory, tool='auto'):
    """Write ca.pem, server.pem, server-key.pem and other-ca.pem into `directory`; returns the tool used."""
    os.makedirs(directory, exist_ok=True)
    if tool == 'cryptography' or (tool == 'auto' and importlib.util.find_spec('cryptography') is not None):
        _with_cryptography(directory)
        return 'cryptography'
    _with_openssl(directory)
    return 'openssl'


def server_context(directory):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(os.path.join(directory, 'server.pem'), os.path.join(directory, 'server-key.pem'))
    return context


def _write(path, data, private=False):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)


def _with_cryptography(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'vbr.enterprise_manager EM simulator'),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def make_ca(common):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(name(common))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return key, cert

    ca_key, ca_cert = make_ca('EM Simulator Test CA')
    other_cert = make_ca('Unrelated Test CA')[1]
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name('localhost')).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                        x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    _write(os.path.join(directory, 'ca.pem'), ca_cert.public_bytes(pem))
    _write(os.path.join(directory, 'other-ca.pem'), other_cert.public_bytes(pem))
    _write(os.path.join(directory, 'server.pem'), cert.public_bytes(pem))
    _write(os.path.join(directory, 'server-key.pem'), key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                        serialization.NoEncryption()), private=True)


_OPENSSL_CONFIG = """[req]
distinguished_name = dn
prompt = no
[dn]
O = vbr.enterprise_manager EM simulator
CN = unused
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _with_openssl(directory):
    def run(*args):
        subprocess.run(['openssl'] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    with tempfile.TemporaryDirectory() as work:
        config = os.path.join(work, 'openssl.cnf')
        with open(config, 'w', encoding='ascii') as handle:
            handle.write(_OPENSSL_CONFIG)
        subject = '/O=vbr.enterprise_manager EM simulator/CN=%s'
        for stem, common in (('ca', 'EM Simulator Test CA'), ('other-ca', 'Unrelated Test CA')):
            run('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256',
                '-days', '30', '-config', config, '-extensions', 'ca', '-subj', subject % common,
                '-keyout', os.path.join(work, stem + '-key.pem'), '-out', os.path.join(directory, stem + '.pem'))
        key = os.path.join(directory, 'server-key.pem')
        run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256', '-config', config,
            '-subj', subject % 'localhost', '-keyout', key, '-out', os.path.join(work, 'server.csr'))
        os.chmod(key, 0o600)
        run('x509', '-req', '-in', os.path.join(work, 'server.csr'), '-CA', os.path.join(directory, 'ca.pem'),
            '-CAkey', os.path.join(work, 'ca-key.pem'), '-CAserial', os.path.join(work, 'ca.srl'), '-CAcreateserial', '-days', '30', '-sha256',
            '-extfile', config, '-extensions', 'server', '-out', os.path.join(directory, 'server.pem'))
