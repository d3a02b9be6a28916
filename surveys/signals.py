"""Signals other apps listen to, so that surveys need not know them."""

from django.dispatch import Signal

# Sent after a round's status changed; kwargs: survey, previous_status.
round_status_changed = Signal()
