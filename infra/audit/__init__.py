"""The audit's I/O: keys and signatures, snapshot reads, parallel digests, the export file, and
verification of the database or an export. (Kept empty: a spawned digest worker imports only
``digest_worker``.)"""
