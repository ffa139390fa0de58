"""Views of the contacts app."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def contact_list(request):
    """The member's address book."""
    return render(request, "contacts/contact_list.html")
