"""Intake from the channels' exports (issue 16): bulk imports of ПОС, «Инцидент-менеджмент» and
311 histories through mapping profiles kept as data (``profiles/*.toml``)."""
