"""System checks run by ``manage.py check`` (and at start-up)."""
