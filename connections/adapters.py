"""django-allauth integration: how sign-ups become members."""

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from connections.devices import describe
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

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.RAPPORT_SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails name the site as the others do (`RAPPORT_SITE_NAME`);
        without the sites framework allauth would name it after the host the
        request came to ("Hello from rapport.example.org!"). In production
        their links (`activate_url`, `password_reset_url`, `signup_url`) lead
        to `RAPPORT_SITE_URL`, as the notifications' do, not to whichever
        allowed host the request came to."""
        site = RequestSite(allauth_context.request)
        site.name = settings.RAPPORT_SITE_NAME
        context = {"current_site": site, **context}
        if settings.RAPPORT_ACCOUNT_LINKS_TO_SITE_URL:
            public = urlsplit(settings.RAPPORT_SITE_URL)
            site.domain = public.netloc
            for name, value in context.items():
                if name.endswith("_url") and isinstance(value, str):
                    link = urlsplit(value)
                    if link.scheme in ("http", "https") and link.netloc:
                        context[name] = urlunsplit(
                            link._replace(scheme=public.scheme, netloc=public.netloc)
                        )
        super().send_mail(template_prefix, email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """A security notice (password, addresses, two-factor) says when in the
        site's time zone, named, and from which browser in plain words
        ("Firefox on Windows", as Settings › Sessions does), not its header."""
        now = timezone.localtime()
        request = allauth_context.request
        context = {
            "timestamp": f"{date_format(now, 'j F Y, H:i')} {now.tzname()}",
            "user_agent": describe(self.get_http_user_agent(request)),
            **(context or {}),
        }
        super().send_notification_mail(template_prefix, user, context, email)

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
