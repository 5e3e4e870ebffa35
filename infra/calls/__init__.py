"""The hotline's calls feed (issue 16): call records from the telephony system, as CALL appeals
with their recordings as attachments."""
