"""django-allauth integration: how sign-ups become members."""

from allauth.account.adapter import DefaultAccountAdapter

from connections.services.members import handle_available


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
        if commit:
            user.save()
        return user
