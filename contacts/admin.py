"""Admin of the contacts app.

Address books are private: staff see how many contacts each member keeps and
the phone region, never the contacts themselves (no contact, label, import
or detail model is registered). The count is a subquery per row of the page,
so the list costs the same whatever the number of books and contacts.
"""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from connections.admin_search import MemberSearch
from connections.moderation_admin import CappedCountPaginator, QuickCheckbox
from contacts.models import AddressBook, Contact


@admin.register(AddressBook)
class AddressBookAdmin(MemberSearch, QuickCheckbox, admin.ModelAdmin):
    list_display = ("owner", "default_region", "contact_count", "created")
    list_filter = ("default_region",)
    search_fields = ("owner__email", "owner__handle", "owner__display_name")
    member_search_fields = ("owner",)
    list_select_related = ("owner",)
    readonly_fields = ("owner", "default_region", "created", "contact_count")
    fields = readonly_fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        counted = (
            Contact.objects.filter(owner=OuterRef("owner"))
            .order_by()
            .values("owner")
            .annotate(n=Count("*"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _contacts=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
            )
        )

    @admin.display(description="contacts", ordering="_contacts")
    def contact_count(self, book):
        return book._contacts

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
