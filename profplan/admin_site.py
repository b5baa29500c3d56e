"""The admin site: Django's, refusing a session that has not passed the second factor
(django-otp's OTPAdminSite), under the usual name so that `admin.site`, `admin:index`
and every `@admin.register` stay as they are.

The admin's login page stays Django's password form: after it, accounts/middleware.py
sends the session to the site's code page (or enrolment) and then back to the admin,
so there is one code page for the site and the admin.
"""

from django_otp.admin import OTPAdminSite


class AdminSite(OTPAdminSite):
    login_form = None
    login_template = None

    def __init__(self, name="admin"):
        super().__init__(name)
