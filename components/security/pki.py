"""The cluster's certificates, as pure functions: a CA, and leaf certificates it signs.

Kafka reads them as PEM (`ssl.keystore.type=PEM`): one file with the unencrypted PKCS#8 private key
followed by the certificate chain. PKCS#8 matters: a PKCS#1 key (`BEGIN RSA PRIVATE KEY`) makes Kafka
fail at start ("algid parse error"). EC P-256 keys: small, fast handshakes, supported by every JDK 17+.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY_DAYS = 3650  # the CA outlives many leaf renewals; a CA change needs a two-step roll (docs/security.md, Renewal)


@dataclass(frozen=True)
class Issued:
    key_pem: str  # PKCS#8, unencrypted
    cert_pem: str

    @property
    def keystore_pem(self) -> str:
        """What `ssl.keystore.location` points at: key, then certificate (chain)."""
        return self.key_pem + self.cert_pem


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_ca(common_name: str, days: int = CA_VALIDITY_DAYS) -> Issued:
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(_key_pem(key), _cert_pem(cert))


def _alt_name(name: str) -> x509.GeneralName:
    """A subject alternative name: an IP address SAN for an address (a client dialling an IP checks those),
    else a DNS name (wildcards included)."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def issue(ca: Issued, common_name: str, dns_names: list[str], days: int) -> Issued:
    """A leaf certificate for both ends of TLS (server and client auth): brokers and controllers are
    servers on their listeners and clients of each other; the admin tools are clients. Its subject is
    `CN=<common_name>` only, which `ssl.principal.mapping.rules` turns into the principal User:<common_name>.
    `dns_names`: its subject alternative names, DNS names or IP addresses."""
    ca_key = serialization.load_pem_private_key(ca.key_pem.encode(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):  # this module only makes EC keys
        raise ValueError(f"the CA key is a {type(ca_key).__name__}, not an EC key")
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
    key = _key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([_alt_name(n) for n in dns_names]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return Issued(_key_pem(key), _cert_pem(cert) + ca.cert_pem)


def first_certificate(pem: str) -> x509.Certificate:
    """The first certificate in `pem` (a keystore file: key first, then the chain)."""
    start = pem.index("-----BEGIN CERTIFICATE-----")
    return x509.load_pem_x509_certificate(pem[start:].encode())


def not_after(pem: str) -> datetime.datetime:
    """When the first certificate in `pem` expires (UTC)."""
    return first_certificate(pem).not_valid_after_utc


def serial(pem: str) -> str:
    return format(first_certificate(pem).serial_number, "x")


def renewal_due(cert_pem: str, renew_before_days: int, now: datetime.datetime | None = None) -> bool:
    """True once the certificate is within `renew_before_days` of expiry (or past it)."""
    now = now or _now()
    return now >= not_after(cert_pem) - datetime.timedelta(days=renew_before_days)
