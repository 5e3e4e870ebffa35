"""Personal data under 152-ФЗ: which event fields are personal, erasure as a recorded act."""
