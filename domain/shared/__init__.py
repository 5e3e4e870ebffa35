"""What every part of the domain shares: errors, actors and roles, time helpers."""
