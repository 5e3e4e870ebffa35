"""The outbox's outer parts (issue 17): its settings, templates, channels (SMTP, Telegram, VK),
printable letters and the wiring of its reactors."""
