"""Safe image intake: every image that enters the system is decoded here."""
