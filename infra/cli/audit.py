"""`otklik audit …`: replay an appeal's history in the terminal, export the log with its chain,
verify the database or an export (without the API server), and sign checkpoints."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import typer

from domain.audit.chain import Checkpoint
from domain.audit.history import replay
from domain.shared.actors import Actor, Role
from infra.archive.verify import CaseUnreadable, verify_case
from infra.audit.export import export
from infra.audit.keys import generate_keys, key_id, load_private, load_public, sign
from infra.audit.verification import read_published, verify_database, verify_file
from infra.cli.support import container_session, database_session

audit_app = typer.Typer(
    help="Audit: histories, the hash chain over the log, exports, verification, checkpoints.",
    no_args_is_help=True,
)
CHIEF = Actor(id="cli-audit", role=Role.HEAD, name="Руководитель МЦУ (командная строка)")


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
    return text if len(text) <= width else text[: width - 1] + "…"


@audit_app.command("replay")
def replay_command(
    appeal_id: UUID,
    changes: Annotated[bool, typer.Option(help="Show each step's state changes.")] = True,
) -> None:
    """The appeal's history as a timeline: each event with its version, log position, business
    time (local), actor and role, the state changes it made, and the policy and calendar in
    force."""
    from rich.console import Console

    console = Console(width=140, highlight=False)
    with container_session() as container:
        recorded = container.appeals.history(appeal_id)
        steps = replay([(r.position, r.event) for r in recorded])
    zone = ZoneInfo(steps[-1].applied.timezone or container.settings.timezone)
    console.print(
        f"[bold]Обращение {appeal_id}[/bold] — событий: {len(steps)}, время местное ({zone.key})"
    )
    for step in steps:
        who = f"{step.actor.name} ({step.actor.role.value})"
        console.print(
            f"[bold]v{step.version:<3}[/bold] #{step.position:<9}"
            f" {step.occurred_at.astimezone(zone):%d.%m.%Y %H:%M}  [cyan]{step.type}[/cyan]  {who}"
        )
        if changes:
            for change in step.changes:
                console.print(
                    f"        {change.field}: {_short(change.before)} → {_short(change.after)}"
                )
        console.print(
            f"        [dim]политика {step.applied.deadline_policy},"
            f" календарь {step.applied.calendar or '—'}; записано"
            f" {step.recorded_at.astimezone(zone):%d.%m.%Y %H:%M:%S}[/dim]"
        )


@audit_app.command("export")
def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file (.jsonl.gz).")
    ] = None,
) -> None:
    """Write every event, the ledger's digests, its checkpoints and the signed checkpoints to a
    self-contained gzip JSON Lines file that `otklik audit verify --file` checks offline."""
    target = output or Path(f"otklik-audit-{datetime.now(UTC):%Y%m%d-%H%M%S}.jsonl.gz")
    with database_session() as (_settings, info):
        count, state = export(info.conninfo, target)
    typer.echo(
        f"{count:,} events written to {target} ({target.stat().st_size:,} bytes); ledger at"
        f" position {state.position:,}, {state.events:,} events, link {state.link}"
    )


def _keys(paths: list[Path]) -> dict[str, Any]:
    keys = {}
    for path in paths:
        public = load_public(path)
        keys[key_id(public)] = public
    return keys


@audit_app.command("verify")
def verify_command(
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Verify an export instead of the database.")
    ] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(help="Published signed checkpoints kept outside the database (JSON Lines)."),
    ] = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option("--public-key", help="The control centre's Ed25519 public key (PEM)."),
    ] = None,
    show: Annotated[int, typer.Option(help="How many findings to print.")] = 20,
    case: Annotated[
        Path | None, typer.Option("--case", help="Verify a case file (ZIP) of the archive.")
    ] = None,
) -> None:
    """Check that the event log was never altered: every event's bytes against the digest the
    audit ledger recorded, the hash chain against its checkpoints and the signed ones. Names
    the first position where it breaks, the aggregate (appeal) it belongs to, and what differs.
    With --case, checks an archive case file (ZIP) offline instead (docs/archive.md).
    Exit status 0: intact; 1: altered; 2: cannot verify."""
    published = read_published(checkpoints) if checkpoints else []
    keys = _keys(public_key or [])
    if case is not None:
        _verify_case(case, keys, show)
        return
    try:
        if file is not None:
            result = verify_file(file, published=published, keys=keys)
        else:
            with database_session() as (_settings, info):
                result = verify_database(info.conninfo, published=published, keys=keys)
    except (LookupError, ValueError, OSError) as error:
        typer.echo(f"cannot verify: {error}", err=True)
        raise typer.Exit(2) from None
    report = result.report
    rate = report.events / report.seconds if report.seconds else 0.0
    typer.echo(
        f"{result.source}: {report.events:,} events in {report.seconds:.2f} s"
        f" ({rate:,.0f} events/s); ledger compared {report.ledger_events:,} up to position"
        f" {report.ledger_position:,}; {report.pending:,} newer pending;"
        f" {report.checkpoints} checkpoints ({result.signatures_valid} signatures valid,"
        f" {result.signatures_unchecked} unchecked for want of a key)"
    )
    typer.echo(f"head: position {report.head_position:,}, link {report.head_link}")
    if report.ok:
        typer.echo("INTACT: the log matches the ledger and every checkpoint")
        return
    first = report.first
    assert first is not None
    typer.echo(
        f"ALTERED: {len(report.findings)} finding(s); the chain breaks first at position"
        f" {first.position:,}"
        + (f" (aggregate {first.aggregate_id})" if first.aggregate_id else "")
    )
    for finding in report.findings[:show]:
        typer.echo(f"  #{finding.position:<10} {finding.problem.value:<10} {finding.detail}")
    raise typer.Exit(1)


def _verify_case(path: Path, keys: dict[str, Any], show: int) -> None:
    """A case file of the archive, offline (``infra.archive.verify``); exits 1 when altered."""
    try:
        result = verify_case(path, keys)
    except CaseUnreadable as error:
        typer.echo(f"cannot verify: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{result.source}: {result.events} events, {result.files} files, {result.segments}"
        f" chain segment(s); {result.signatures_valid} signatures valid,"
        f" {result.signatures_unchecked} unchecked for want of a key or a signature"
    )
    if result.ok:
        typer.echo("INTACT: every file, event digest and chain link holds up to the checkpoints")
        return
    typer.echo(f"ALTERED: {len(result.problems)} finding(s)")
    for problem in result.problems[:show]:
        typer.echo(f"  {problem}")
    raise typer.Exit(1)


@audit_app.command("keygen")
def keygen_command(
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o")] = Path("."),
) -> None:
    """Create the control centre's Ed25519 key pair for signing checkpoints."""
    secret, public = generate_keys(output_dir)
    typer.echo(f"private key: {secret} (keep it offline)\npublic key:  {public} (give it out)")


@audit_app.command("checkpoint")
def checkpoint_command(
    key: Annotated[Path, typer.Option("--key", help="The Ed25519 private key (PEM).")],
    append_to: Annotated[
        Path | None,
        typer.Option("--append-to", help="Also append the signed line to this file."),
    ] = None,
) -> None:
    """Sign the ledger's head with the control centre's key, record it in the log, and print it
    as one JSON line to publish (a later alteration before it cannot then be hidden)."""
    private = load_private(key)
    with container_session() as container:
        head = container.audit_ledger.head()
        checkpoint = Checkpoint(position=head.position, events=head.events, link=head.link)
        signed = sign(checkpoint, private)
        container.audit.checkpoint_signed(signed, actor=CHIEF)
    line = msgspec.json.encode(signed).decode()
    if append_to is not None:
        with append_to.open("a") as out:
            out.write(line + "\n")
    sys.stdout.write(line + "\n")
