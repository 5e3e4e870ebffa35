"""The attachments' folder store (issue 16): a file appears whole under its address or not at all,
the same content is kept once, and a refused upload leaves nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from domain.attachments.store import AttachmentTooLarge, AttachmentTypeRefused
from infra.attachments import FolderStore

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


def files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_staged_upload_is_invisible_until_committed_then_whole_under_its_address(
    tmp_path: Path,
) -> None:
    store = FolderStore(tmp_path, max_bytes=1024)
    staging = store.stage()
    staging.write(PDF[:10])
    assert not store.exists(SHA)
    staging.write(PDF[10:])
    blob = staging.finish()
    assert (blob.sha256, blob.size, blob.media_type) == (SHA, len(PDF), "application/pdf")
    assert not store.exists(SHA)  # finished, not yet committed: no name points at it
    assert store.commit(staging) is True
    assert (tmp_path / SHA[:2] / SHA).read_bytes() == PDF
    assert b"".join(store.read(SHA)) == PDF
    assert files(tmp_path) == {tmp_path / SHA[:2] / SHA}  # nothing left in staging


def test_the_same_content_is_kept_once(tmp_path: Path) -> None:
    store = FolderStore(tmp_path, max_bytes=1024)
    for expected in (True, False):
        staging = store.stage()
        staging.write(PDF)
        staging.finish()
        assert store.commit(staging) is expected
    assert files(tmp_path) == {tmp_path / SHA[:2] / SHA}


def test_an_upload_past_the_limit_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = FolderStore(tmp_path, max_bytes=len(PDF) - 1)
    staging = store.stage()
    with pytest.raises(AttachmentTooLarge):
        staging.write(PDF)
    staging.discard()
    assert files(tmp_path) == set()


def test_an_upload_of_a_type_not_allowed_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = FolderStore(tmp_path, max_bytes=1024)
    staging = store.stage()
    staging.write(b"#!/bin/sh\nrm -rf /\n")
    with pytest.raises(AttachmentTypeRefused):
        staging.finish()
    assert files(tmp_path) == set()


def test_a_store_refuses_an_address_that_is_not_a_sha256(tmp_path: Path) -> None:
    store = FolderStore(tmp_path, max_bytes=1024)
    with pytest.raises(ValueError, match="SHA-256"):
        store.exists("../../etc/passwd")


def test_what_a_crashed_upload_left_in_staging_is_swept(tmp_path: Path) -> None:
    store = FolderStore(tmp_path, max_bytes=1024)
    staging = store.stage()
    staging.write(PDF)  # the process dies here
    assert store.sweep(older_than=3600) == 0  # another worker's upload may still be running
    assert store.sweep(older_than=-1) == 1
    assert files(tmp_path) == set()
