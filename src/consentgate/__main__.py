"""``python -m consentgate`` runs the CLI."""

from consentgate.cli.main import main

main()
