"""Reactors: process managers on the projection engine, turning events (or a timer) into commands."""
