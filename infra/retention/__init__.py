"""The retention schedule's file and its reading (a TOML an administrator can change)."""
