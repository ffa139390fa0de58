"""django-allauth integration: how sign-ups become members."""

from allauth.account.adapter import DefaultAccountAdapter

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
            user.save()
            member_search_terms_refresh(member=user)
        return user

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
