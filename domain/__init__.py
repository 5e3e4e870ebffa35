"""The pure core of Otklik: commands, events, decisions and policies. No I/O, no clock."""
