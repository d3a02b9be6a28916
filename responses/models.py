"""Who answers and what they answered (issue: responses app)."""
