"""Ratings of departments, sectors and the municipality under versioned methodologies."""
