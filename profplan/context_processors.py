from django.conf import settings


def session_timing(request):
    """What static/js/session.js needs to warn before the session ends."""
    return {
        "session_age": settings.SESSION_COOKIE_AGE,
        "session_warning": settings.SESSION_WARNING_SECONDS,
    }
