"""The rubricator: the common Russian classifier of appeals' topics plus the municipality's own
entries, as versioned data, with the rules that route a topic to a default unit."""
