"""The redacted copies of citizens' free texts: what analytics may read."""
