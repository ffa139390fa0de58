"""django-allauth integration: how sign-ups become members."""

from allauth.account.adapter import DefaultAccountAdapter
from django.db import IntegrityError, transaction

from connections.services.members import handle_available
from connections.services.profiles import member_search_terms_refresh


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Fill the name and a free handle before the first save."""
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email.lower()
        user.display_name = (form.cleaned_data.get("display_name") or "").strip()
        if not user.display_name:
            user.display_name = user.email.split("@", 1)[0]
        if not user.handle:
            user.handle = handle_available(base=user.display_name)
        # Kept for the staff's abuse view (bursts of sign-ups from one address).
        user.signup_ip = self.get_client_ip(request) or None
        if commit:
            self._save_with_a_free_handle(user)
            member_search_terms_refresh(member=user)
        return user

    @staticmethod
    def _save_with_a_free_handle(user, tries: int = 3):
        """Save the new member; when another sign-up took the handle between
        choosing and saving it (two Alice Martins at once), choose again."""
        for attempt in range(tries):
            try:
                with transaction.atomic():
                    user.save()
                return
            except IntegrityError:
                taken = type(user).objects.filter(handle=user.handle).exists()
                if not taken or attempt == tries - 1:
                    raise
                user.handle = handle_available(base=user.display_name)

    def pre_login(self, request, user, **kwargs):
        """A suspended member is refused at sign-in, told until when."""
        if getattr(user, "is_suspended", False):
            from allauth.account.internal.stagekit import clear_login
            from django.shortcuts import render

            from connections.middleware import suspension_notice

            clear_login(request)
            return render(
                request,
                "account/account_suspended.html",
                {"notice": suspension_notice(user)},
                status=403,
            )
        return super().pre_login(request, user, **kwargs)
