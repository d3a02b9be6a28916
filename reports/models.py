"""What the answers add up to (issue: reports app)."""
