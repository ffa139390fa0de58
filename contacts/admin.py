"""Admin of the contacts app.

Address books are private: staff see how many contacts each member keeps and
the phone region, never the contacts themselves.
"""

from django.contrib import admin
from django.db.models import Count

from contacts.models import AddressBook


@admin.register(AddressBook)
class AddressBookAdmin(admin.ModelAdmin):
    list_display = ("owner", "default_region", "contact_count", "created")
    search_fields = ("owner__email", "owner__handle")
    list_select_related = ("owner",)
    readonly_fields = ("owner", "default_region", "created", "contact_count")
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_contacts=Count("owner__contacts"))
        )

    @admin.display(description="contacts", ordering="_contacts")
    def contact_count(self, book):
        return book._contacts

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
