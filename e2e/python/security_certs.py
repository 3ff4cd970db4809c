"""Throwaway RSA keys and certificates for the message-signing (`auth` serializer) tests.

    /usr/bin/python3 security_certs.py DIR

Writes into DIR (made if missing), with Debian's python3-cryptography:

- `ca.key`, `ca.pem`: a CA ("q signing test CA") that issues the others (Celery checks no chain: a signer is
  known by its certificate's issuer and serial number).
- `alice.key`/`alice.pem`, `bob.key`/`bob.pem`: valid certificates (from yesterday, for 100 years).
- `expired.key`/`expired.pem`: a certificate that expired in 2001.
- `mallory.key`/`mallory.pem`: valid, but in no certificate store (an unknown signer).
- `store/`: `alice.pem` and `bob.pem` (what `security_cert_store` names), `store-with-expired/`: those and
  `expired.pem` (Python Celery refuses to load such a store; q refuses the expired signer per message).
Prints the directory as JSON: `{"dir": DIR}`.
"""
import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'US'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'q tests'),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _cert(subject, key, issuer, issuer_key, serial, not_before, not_after):
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
            .sign(issuer_key, hashes.SHA256()))


def _write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def main(out):
    os.makedirs(os.path.join(out, 'store'), exist_ok=True)
    os.makedirs(os.path.join(out, 'store-with-expired'), exist_ok=True)
    now = datetime.datetime.utcnow()
    ca_key = _key()
    ca_name = _name('q signing test CA')
    ca = _cert(ca_name, ca_key, ca_name, ca_key, 1, now - datetime.timedelta(days=1), now + datetime.timedelta(days=36500))
    _write(os.path.join(out, 'ca.key'), ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    _write(os.path.join(out, 'ca.pem'), ca.public_bytes(serialization.Encoding.PEM))
    leaves = {
        'alice': (0x1001, now - datetime.timedelta(days=1), now + datetime.timedelta(days=36500)),
        'bob': (0x1002, now - datetime.timedelta(days=1), now + datetime.timedelta(days=36500)),
        'expired': (0x1003, datetime.datetime(2000, 1, 1), datetime.datetime(2001, 1, 1)),
        'mallory': (0x1004, now - datetime.timedelta(days=1), now + datetime.timedelta(days=36500)),
    }
    for name, (serial, nb, na) in leaves.items():
        key = _key()
        cert = _cert(_name(name), key, ca_name, ca_key, serial, nb, na)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        _write(os.path.join(out, f'{name}.key'), key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
        _write(os.path.join(out, f'{name}.pem'), pem)
        if name in ('alice', 'bob'):
            _write(os.path.join(out, 'store', f'{name}.pem'), pem)
        if name in ('alice', 'bob', 'expired'):
            _write(os.path.join(out, 'store-with-expired', f'{name}.pem'), pem)
    print(json.dumps({'dir': out}))


if __name__ == '__main__':
    main(sys.argv[1])
