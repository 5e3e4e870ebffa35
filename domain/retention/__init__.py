"""How long an appeal's personal data is kept after it is closed, and when it expires."""
