"""Crypto-shredding (issue 18): the master key, the key store, sealing, erasure, backups."""
