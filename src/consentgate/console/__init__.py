"""The moderator console: server-rendered pages at ``/console`` (docs/console.md).

A shell like the HTTP API and the CLI: it logs people in, checks their role and
CSRF token, and calls the same services. Pages are Jinja2 templates with a
little plain JavaScript from ``static/`` (no inline script: the CSP forbids it).
"""
