from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import second_factor

# What a session signed in with the password alone may still open: the code and
# enrolment pages themselves, signing out, the password reset (which signs nobody in),
# the load balancer's health check and session.js's requests.
EXEMPT_VIEWS = {
    "second_factor:verify",
    "second_factor:enrol",
    "login",
    "logout",
    "admin:logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "session-status",
    "session-keepalive",
    # The private calendar feed reads no session: its token is the key.
    "plans:calendar-feed",
}


class SecondFactorMiddleware:
    """Until the second factor is passed, a session that needs it (accounts/second_factor.
    is_required: the account must use it, or has turned it on) opens no page but the code
    page – or the enrolment page, which the code page sends to when there is no device
    yet. The centre's pages and the admin are thus out of reach of a password alone,
    whatever their own checks say; Profplan's admin site (profplan/admin_site.py) refuses
    such a session too.

    After django_otp's OTPMiddleware (request.user.is_verified). A view, not a path, is
    checked: a URL that resolves to nothing is a 404 for everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or request.user.is_verified():
            return None
        if request.resolver_match.view_name in EXEMPT_VIEWS:
            return None
        if not second_factor.is_required(request):
            return None
        if getattr(request, "htmx", False):
            # The editor's script shows this and keeps what was typed (as for a 401
            # of an expired session, profplan.middleware.HtmxLoginRequiredMiddleware).
            return HttpResponse(
                "Подтвердите вход одноразовым кодом: обновите страницу.",
                status=401,
                content_type="text/plain; charset=utf-8",
            )
        target = reverse("second_factor:verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
