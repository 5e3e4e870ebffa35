"""The `otklik` command line: the program and its command groups, one module each (serve, migrate,
load demo data, run projections, accounts and tokens, audit, reports, the directory)."""

from __future__ import annotations

import sys

import typer

from infra.cli.accounts import account_app
from infra.cli.archive import archive_app
from infra.cli.audit import audit_app
from infra.cli.brief import brief_app
from infra.cli.calendar import calendar_app
from infra.cli.calls import calls_app
from infra.cli.db import db_app
from infra.cli.demo import demo, demo_session
from infra.cli.directory import directory_app
from infra.cli.imports import import_file
from infra.cli.outbox import outbox_app
from infra.cli.privacy import backup_app, privacy_app
from infra.cli.projections import projections_app
from infra.cli.reports import report_app
from infra.cli.retention import retention_app
from infra.cli.serve import serve
from infra.cli.sessions import sessions_app, tasks_app
from infra.cli.sla import sla_app
from infra.cli.tokens import token_app

app = typer.Typer(
    help="Otklik: the back end of a municipal control centre (МЦУ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo)
app.command("serve")(serve)
app.command("import")(import_file)
app.command("demo-session")(demo_session)
app.add_typer(db_app, name="db")
app.add_typer(calendar_app, name="calendar")
app.add_typer(sla_app, name="sla")
app.add_typer(projections_app, name="projections")
app.add_typer(outbox_app, name="outbox")  # issue 17
app.add_typer(brief_app, name="brief")  # issue 17: the daily brief
app.add_typer(token_app, name="token")
app.add_typer(account_app, name="account")
app.add_typer(audit_app, name="audit")
app.add_typer(archive_app, name="archive")  # issue 18: case files for the archive
app.add_typer(report_app, name="report")
app.add_typer(directory_app, name="directory")
app.add_typer(calls_app, name="calls")  # issue 16: the hotline's calls feed
app.add_typer(sessions_app, name="sessions")  # issue 20: the МЦУ's sessions
app.add_typer(tasks_app, name="tasks")  # issue 20: their tasks
app.add_typer(retention_app, name="retention")  # issue 18: retention of personal data
app.add_typer(privacy_app, name="privacy")  # issue 18: erasure, keys
app.add_typer(backup_app, name="backup")  # issue 18: backups that keep erasures


def main() -> None:  # the console script `otklik`
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
