"""People and the organisations they answer for (see accounts/apps.py)."""
