"""The service layer: stores and wiring shared by the HTTP workers and the CLI."""
