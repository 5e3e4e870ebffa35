"""Audit: the hash chain over the event log, its verification, and the audited reading of
personal data."""
