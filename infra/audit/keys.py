"""The control centre's Ed25519 keys (``cryptography``): made, read, and used to sign checkpoints
and check their signatures."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.audit.chain import Checkpoint, SignedCheckpoint


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_keys(folder: Path) -> tuple[Path, Path]:
    """A new key pair: the private key (PEM, keep it offline) and the public key (PEM, give it to
    every auditor)."""
    folder.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    secret = folder / "otklik-audit.key"
    public = folder / "otklik-audit.pub"
    secret.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    secret.chmod(0o600)
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return secret, public


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def sign(checkpoint: Checkpoint, private: Ed25519PrivateKey) -> SignedCheckpoint:
    return SignedCheckpoint(
        checkpoint=checkpoint,
        key_id=key_id(private.public_key()),
        signature=private.sign(checkpoint.message()).hex(),
        signed_at=datetime.now(UTC),
    )


def signature_valid(signed: SignedCheckpoint, keys: dict[str, Ed25519PublicKey]) -> bool | None:
    """True or False; None when no key with that id was given."""
    public = keys.get(signed.key_id)
    if public is None:
        return None
    try:
        public.verify(bytes.fromhex(signed.signature), signed.checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True
