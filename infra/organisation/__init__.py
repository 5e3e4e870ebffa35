"""The administration's directory and classifier as files an administrator keeps, and their loading."""
