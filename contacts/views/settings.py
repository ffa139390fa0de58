"""The address book's own settings: the country phone numbers are read with."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts.forms import RegionForm
from contacts.phones import region_name
from contacts.selectors.contacts import address_book_region
from contacts.services.address_books import address_book_set_region
from contacts.views.common import navigation_context


@require_http_methods(["GET", "POST"])
def address_book_settings(request):
    """Pick the country used to read phone numbers typed without a country code."""
    region = address_book_region(owner=request.user)
    form = RegionForm(request.POST or None, initial={"default_region": region})
    if request.method == "POST" and form.is_valid():
        try:
            address_book_set_region(
                owner=request.user, region=form.cleaned_data["default_region"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Phone numbers without a country code now read as %(name)s.")
                % {"name": region_name(form.cleaned_data["default_region"])},
            )
            return redirect("contacts:settings")
    context = navigation_context(request.user)
    context["form"] = form
    return render(request, "contacts/address_book_settings.html", context)
