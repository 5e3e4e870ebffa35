"""Misinformation response: a claim about the city found in the information space, assessed on
the facts, refuted on official channels, target groups warned, and recognised when it
resurfaces (domain.md §4)."""
