"""The administration Otklik serves: sectors, units, institutions, people and their positions, as
a directory of events that can be read as of any date."""
