"""People and access: accounts (a person's or a service's), their roles and their bearer tokens, each
change an event on the account's stream."""
