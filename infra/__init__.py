"""The outer ring and composition root: settings, database, event store wiring, logging, CLI."""
