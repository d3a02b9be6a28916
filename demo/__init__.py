"""Demo seeding, apart from production code (see demo/apps.py)."""
