"""A PostgreSQL server of a test's own (pgserver's binaries) on a TCP port of 127.0.0.1, which the
test may freeze (SIGSTOP), thaw, kill (SIGKILL) and start again on the same data and port.
Linux only: processes are found through /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from pgserver._commands import POSTGRES_BIN_PATH

from infra.database import ConnectionInfo, EmbeddedPostgres
from infra.server_process import free_port


class OwnPostgres:
    def __init__(self, folder: Path) -> None:
        self.pgdata = folder / "pgdata"
        EmbeddedPostgres(self.pgdata).stop()  # initdb (as pgserver does it), then stopped
        self.port = free_port()
        # pgserver runs the server as its own user when we are root (postgres refuses root).
        self._user = "pgserver" if os.geteuid() == 0 else None
        self.start()

    @property
    def info(self) -> ConnectionInfo:
        return ConnectionInfo("postgres", "127.0.0.1", self.port, "postgres", "")

    def start(self) -> None:
        # A killed postmaster may linger as a zombie until something reaps it, and the server
        # refuses to start while the process named in its lock file exists: the file is stale.
        lock = self.pgdata / "postmaster.pid"
        with contextlib.suppress(FileNotFoundError, IndexError, ValueError):
            if not alive(int(lock.read_text().split()[0])):
                lock.unlink()
        self._pg_ctl(
            "-w",
            "-o",
            f'-h 127.0.0.1 -p {self.port} -k ""',  # TCP only: no socket lock file to go stale
            "-l",
            str(self.pgdata / "log"),
            "start",
        )

    def stop(self) -> None:
        """Thaw whatever is frozen, then stop the server (or what is left of it)."""
        self.thaw()
        with contextlib.suppress(RuntimeError):
            self._pg_ctl("-w", "-m", "immediate", "stop")
        self._reap(self.processes())

    def processes(self) -> list[int]:
        """The postmaster and the processes it started, postmaster first (none when stopped)."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return []
        if not alive(pid):
            return []
        return [pid, *(child for child, parent in _parents().items() if parent == pid)]

    def freeze(self) -> None:
        """SIGSTOP the postmaster (first: it starts no backend afterwards) and every backend."""
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL the postmaster alone, as a crash would; its backends notice and exit (any
        left after 10 s are killed too, so that the server can start again)."""
        postmaster, *backends = self.processes()
        os.kill(postmaster, signal.SIGKILL)
        self._reap([postmaster, *backends])

    @staticmethod
    def _reap(pids: list[int]) -> None:
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in pids:
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline + 10:
            time.sleep(0.05)

    def _pg_ctl(self, *args: str) -> None:
        # Its output goes to a file: a pipe would be inherited by the server and never close.
        out = self.pgdata.parent / "pg_ctl.out"
        with out.open("wb") as sink:
            done = subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), *args],
                check=False,
                user=self._user,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=60,
            )
        if done.returncode != 0:
            log = self.pgdata / "log"
            told = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl {args[-1]} failed: {out.read_text()[-2000:]}\n{told}")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) from /proc, or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (command) "
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """``pid`` runs (a zombie or a dead process does not)."""
    found = _stat(pid)
    return found is not None and found[0] not in ("Z", "X")  # a zombie is gone for us


def _parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat[1]
    return found
