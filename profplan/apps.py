from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app with Profplan's admin site (profplan/admin_site.py: it refuses
    a session that has not passed the second factor). Apart from the site class, which
    imports the admin's forms and so cannot be imported before the apps are loaded."""

    default_site = "profplan.admin_site.AdminSite"
