"""Demo and synthetic data, written through the domain: a city's appeals and claims, and large logs."""
