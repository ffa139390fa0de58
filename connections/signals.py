"""Signals other apps listen to, so that `connections` never imports them."""

from django.dispatch import Signal

# Sent by `account_close` inside its transaction, with `member`: a receiver
# deletes what its app keeps for the member (the address book, in `contacts`).
# An exception in a receiver rolls the whole closing back.
account_closing = Signal()
