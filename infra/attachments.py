"""The attachments' folder store: each file under ``<root>/<sha256[:2]>/<sha256>``, written to a
temporary file in ``<root>/.staging`` while it streams in (hashed and limited as it goes), then
renamed into place atomically, so a reader never sees a partial file and a refused upload leaves
nothing. The same content is kept once. (An S3-compatible bucket would implement the same
``AttachmentStore`` protocol: docs/attachments.md.) Issue 18: with a keyring, an appeal's file is
kept encrypted with the appeal's data key under ``<root>/sealed/<appeal id>/<sha256>`` (see
``infra.privacy.files``), and its erasure removes that folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from domain.attachments.store import SHA256, Blob, Digest, Staging
from infra.privacy.files import FileSealer

CHUNK = 256 * 1024  # a read's chunk when serving a file


class FolderStaging:
    """An upload streaming into a temporary file of the store's staging folder."""

    def __init__(self, staging_dir: Path, limit: int) -> None:
        handle, name = tempfile.mkstemp(dir=staging_dir, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file: BinaryIO | None = os.fdopen(handle, "wb")
        self._digest = Digest(limit)
        self.blob: Blob | None = None

    def write(self, chunk: bytes) -> None:
        assert self._file is not None, "the upload is finished"
        try:
            self._digest.update(chunk)
        except Exception:
            self.discard()
            raise
        self._file.write(chunk)

    def finish(self) -> Blob:
        assert self._file is not None, "the upload is finished"
        self._file.flush()
        os.fsync(self._file.fileno())  # the bytes are on disk before the name points at them
        self._file.close()
        self._file = None
        try:
            self.blob = self._digest.blob()
        except Exception:
            self.discard()
            raise
        return self.blob

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class FolderStore:
    """``AttachmentStore`` on a folder (by default ``<data dir>/attachments``)."""

    def __init__(self, root: Path, max_bytes: int, sealer: FileSealer | None = None) -> None:
        self.root = root
        self._max_bytes = max_bytes
        self.sealer = sealer
        self.staging_dir = root / ".staging"
        self.staging_dir.mkdir(parents=True, exist_ok=True)

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def path_of(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 in lowercase hex")
        return self.root / sha256[:2] / sha256

    def stage(self) -> FolderStaging:
        return FolderStaging(self.staging_dir, self._max_bytes)

    def sealed_path(self, sha256: str, owner: UUID) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 in lowercase hex")
        return self.root / "sealed" / str(owner) / sha256

    def commit(self, staging: Staging, owner: UUID | None = None) -> bool:
        assert isinstance(staging, FolderStaging), "staged by another store"
        assert staging.blob is not None, "the upload is not finished"
        if self.sealer is not None and owner is not None:
            return self._commit_sealed(staging, staging.blob.sha256, owner)
        target = self.path_of(staging.blob.sha256)
        if target.exists():  # the same content is kept once
            staging.discard()
            return False
        target.parent.mkdir(exist_ok=True)
        # a hard link publishes the file only if the name is free (two uploads of the same
        # content at once: one links, the other finds it there), and is atomic like a rename
        try:
            os.link(staging.path, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: a rename (same bytes if raced)
            os.replace(staging.path, target)
        finally:
            staging.discard()
        _sync_dir(target.parent)
        return True

    def _commit_sealed(self, staging: FolderStaging, sha256: str, owner: UUID) -> bool:
        assert self.sealer is not None
        target = self.sealed_path(sha256, owner)
        if target.exists():
            staging.discard()
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.staging_dir, prefix="seal-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out, staging.path.open("rb") as plain:
                self.sealer.seal_file(plain, out, owner, sha256)
                out.flush()
                os.fsync(out.fileno())
            os.replace(name, target)
        finally:
            staging.discard()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
        _sync_dir(target.parent)
        return True

    def erase(self, owner: UUID) -> int:
        """Issue 18: remove an erased appeal's encrypted files; how many."""
        folder = self.root / "sealed" / str(owner)
        if not folder.is_dir():
            return 0
        removed = 0
        for path in folder.iterdir():
            path.unlink()
            removed += 1
        folder.rmdir()
        return removed

    def remove(self, sha256: str, owner: UUID | None = None) -> None:
        with contextlib.suppress(FileNotFoundError):
            if owner is not None and self.sealed_path(sha256, owner).exists():
                self.sealed_path(sha256, owner).unlink()
                return
            self.path_of(sha256).unlink()

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def read(self, sha256: str, owner: UUID | None = None) -> Iterator[bytes]:
        if owner is not None and self.sealer is not None:
            sealed = self.sealed_path(sha256, owner)
            if sealed.is_file():
                return self.sealer.open_file(sealed.open("rb"), owner, sha256)
        handle = self.path_of(sha256).open("rb")  # FileNotFoundError before the first chunk

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def sweep(self, older_than: float = 3600.0) -> int:
        """Remove the staged files a crashed process left (older than ``older_than`` seconds:
        another worker's upload in progress is younger); how many."""
        removed = 0
        cutoff = time.time() - older_than
        for leftover in self.staging_dir.glob("upload-*.part"):
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
        return removed


def _sync_dir(directory: Path) -> None:
    """The new name survives a crash once its directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
