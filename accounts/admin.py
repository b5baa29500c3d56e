from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "school",
        "municipality",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_active", "groups", "school__municipality"]
    list_select_related = ["school", "municipality"]
    search_fields = ["username", "first_name", "last_name", "email", "school__short_name"]
    autocomplete_fields = ["school", "municipality"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Профплан", {"fields": ("position", "school", "municipality")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Профплан", {"fields": ("position", "school", "municipality")}),
    )
