"""Conversations: reading a prompt with the earlier turns of the same conversation."""
