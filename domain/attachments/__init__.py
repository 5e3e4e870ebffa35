"""Attachments: files an appeal carries (photos, scans, recordings, signed answers), kept by their
content's address, their type told from their bytes."""
