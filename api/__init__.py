"""HTTP: translates requests to commands and queries. No business rules, no SQL."""
