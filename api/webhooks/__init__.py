"""Messenger intake (issue 16): the Telegram Bot API webhook and the VK Callback API, each a
translation of the messenger's documented payload into the one ``ReceiveAppeal`` command."""
