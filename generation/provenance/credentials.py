"""C2PA signing credentials: production files or a KMS/HSM callback, and a local dev CA."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import BAD_CREDENTIALS, ProvenanceError

# Signs the bytes c2pa hands over and returns an ES256 signature (e.g. a KMS call).
SignCallback = Callable[[bytes], bytes]


@dataclass(frozen=True)
class SigningCredentials:
    """A PEM certificate chain (leaf first) and either a PEM private key or a signing callback."""

    chain_pem: bytes
    key_pem: bytes | None = None
    sign_callback: SignCallback | None = None

    @classmethod
    def from_files(cls, chain_path: str | Path, key_path: str | Path) -> SigningCredentials:
        try:
            return cls(Path(chain_path).read_bytes(), Path(key_path).read_bytes())
        except OSError as exc:
            raise ProvenanceError(BAD_CREDENTIALS, f"cannot read signing files: {exc}") from exc


@dataclass(frozen=True)
class DevCredentialPaths:
    ca_cert: Path  # the trust anchor to configure for verification
    chain: Path  # signer leaf + CA, PEM
    key: Path  # signer private key, PEM (PKCS#8)

    def credentials(self) -> SigningCredentials:
        return SigningCredentials.from_files(self.chain, self.key)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Castline development"),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def create_ca_and_leaf(common_name: str) -> tuple[bytes, bytes, bytes]:
    """A fresh ES256 root CA and a C2PA signer leaf issued by it: (ca_pem, chain_pem, key_pem)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{common_name} Root CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{common_name} Signer"))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        # c2pa accepts signer certificates only with one of its allowed EKUs.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    chain_pem = leaf.public_bytes(serialization.Encoding.PEM) + ca_pem
    return ca_pem, chain_pem, _pem_key(leaf_key)


def ensure_dev_credentials(data_dir: str | Path) -> DevCredentialPaths:
    """Create (first run) or reuse a local CA and signer under `<data_dir>/keys/`."""
    keys = Path(data_dir) / "keys"
    paths = DevCredentialPaths(
        keys / "dev-ca.pem", keys / "dev-signer-chain.pem", keys / "dev-signer.key"
    )
    if paths.ca_cert.exists() and paths.chain.exists() and paths.key.exists():
        return paths
    keys.mkdir(parents=True, exist_ok=True)
    ca_pem, chain_pem, key_pem = create_ca_and_leaf("Castline Dev")
    paths.ca_cert.write_bytes(ca_pem)
    paths.chain.write_bytes(chain_pem)
    # The key is written owner-only from the start.
    fd = os.open(paths.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    return paths
