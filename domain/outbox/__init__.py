"""Outgoing messages (issue 17): each message one stream, from its queuing through its attempts to
its delivery, dead letter or printed letter."""
