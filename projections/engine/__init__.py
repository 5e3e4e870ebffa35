"""The projection engine: reads the notification log in order and applies it to read models."""
