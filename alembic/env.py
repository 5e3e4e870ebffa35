"""Alembic environment: raw-SQL migrations run on one connection, in one transaction each."""

from __future__ import annotations

from sqlalchemy import create_engine, pool

from alembic import context

config = context.config
url = config.get_main_option("sqlalchemy.url") or context.get_x_argument(as_dictionary=True).get(
    "url"
)
if not url:
    raise SystemExit("no database URL: use `otklik db upgrade` or pass -x url=...")

engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
