import axes.admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import path
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .models import User
from .onboarding import MAX_FILE_BYTES, MAX_ROWS, ImportFileError, ImportRejected, read_rows
from .region_admin import RegionScoped
from .second_factor import device_reset
from .services import schools_import, user_invite_send


class SchoolsImportForm(forms.Form):
    file = forms.FileField(
        label="Список школ (.xlsx или .csv)",
        help_text=(
            f"Не больше {MAX_FILE_BYTES // (1024 * 1024)} МБ и {MAX_ROWS:,} строк.".replace(
                ",", " "
            )
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label="Только проверить, ничего не создавать",
        required=False,
        initial=True,
    )


@admin.register(User)
class UserAdmin(RegionScoped, BaseUserAdmin):
    """Accounts of the user's region (`access.scope_users`); a staff member's region and
    the ministry's flag are set by a superuser only (a centre's member makes nobody
    ministry or staff: it may not change accounts at all, and these fields are read
    only to it)."""

    region_field = None  # the accounts' own rule, below; choices of users stay as they were
    list_display = [
        "username",
        "last_name",
        "first_name",
        "school",
        "municipality",
        "region",
        "is_staff",
        "is_active",
        "second_factor",
    ]
    list_filter = [
        "is_staff",
        "is_ministry",
        "is_active",
        "school_role",
        "groups",
        "region",
        "school__municipality",
    ]
    list_select_related = ["school", "municipality", "region"]
    search_fields = ["username", "first_name", "last_name", "email", "school__short_name"]
    autocomplete_fields = ["school", "municipality"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Профплан", {"fields": ("position", "region", "is_ministry", "school", "municipality")}),
        (
            "Команда школы",
            {"fields": ("school_role", "team_position", "marks_any_row", "wants_digest")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Профплан", {"fields": ("position", "region", "is_ministry", "school", "municipality")}),
        ("Команда школы", {"fields": ("school_role", "team_position", "marks_any_row")}),
    )
    actions = ["send_password_link", "reset_second_factor"]

    def get_queryset(self, request):
        queryset = access.scope_users(BaseUserAdmin.get_queryset(self, request), request.user)
        return queryset.annotate(
            has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )

    @admin.display(description="Вход с кодом", boolean=True, ordering="has_second_factor")
    def second_factor(self, obj):
        return obj.has_second_factor

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "region", "is_ministry"]

    def save_model(self, request, obj, form, change):
        # An account a centre's member adds is of that member's region, so that it
        # stays in the member's list before a school or municipality is given.
        if not change and obj.region_id is None and not access.is_unconfined(request.user):
            obj.region_id = request.user.region_id
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_user_import",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        """Creating accounts and schools: the right to add both."""
        return self.has_add_permission(request) and request.user.has_perm("plans.add_school")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a list of schools and deputies: a per-row report, or the result."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        errors, result, file_error = [], None, None
        if request.method == "POST":
            form = SchoolsImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    if upload.size > MAX_FILE_BYTES:
                        raise ImportFileError(
                            f"Файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ: для списка "
                            "школ это слишком много."
                        )
                    rows = read_rows(upload.read(), upload.name)
                    result = schools_import(
                        rows=rows,
                        by=request.user,
                        request=request,
                        dry_run=form.cleaned_data["dry_run"],
                    )
                except ImportFileError as error:
                    file_error = error.message
                except ImportRejected as rejected:
                    errors = rejected.errors
                if result and not result.dry_run:
                    self.message_user(request, result.summary(), messages.SUCCESS)
        else:
            form = SchoolsImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Загрузка школ и заместителей директоров из списка",
            "form": form,
            "errors": errors,
            "file_error": file_error,
            "result": result,
        }
        return TemplateResponse(request, "admin/accounts/user/import.html", context)

    @admin.action(description="Отправить ссылку для установки пароля", permissions=["change"])
    def send_password_link(self, request, queryset):
        sent = failed = skipped = 0
        for user in queryset.select_related("school"):
            if not user.email or not user.is_active:
                skipped += 1
            elif user_invite_send(user=user, request=request):
                sent += 1
            else:
                failed += 1
        self.message_user(request, f"Писем со ссылкой отправлено: {sent}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Пропущено (нет e-mail или учётная запись отключена): {skipped}.",
                messages.WARNING,
            )
        if failed:
            self.message_user(
                request, f"Не отправлено (почтовый сервер недоступен): {failed}.", messages.ERROR
            )

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(
        description="Сбросить двухфакторную защиту (потерян телефон)",
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        """The user's app and recovery codes go; the next sign-in sets up new ones
        (a centre account must, a school's may). Written to each account's history."""
        reset = 0
        for user in queryset:
            if device_reset(user=user, by=request.user, request=request):
                self.log_change(request, user, "Сброшена двухфакторная защита.")
                reset += 1
        self.message_user(
            request,
            f"Двухфакторная защита сброшена: {reset}. При следующем входе сотрудник "
            "центра настроит приложение заново.",
            messages.SUCCESS,
        )
        if reset < len(queryset):
            self.message_user(
                request,
                f"Без двухфакторной защиты, сбрасывать нечего: {len(queryset) - reset}.",
                messages.WARNING,
            )


class AccessAttemptAdmin(axes.admin.AccessAttemptAdmin):
    """django-axes 8.3's «Clean up expired attempts» reads request.axes_attempt_time,
    which only its sign-in handlers set: unpatched, the action is a server error."""

    @admin.action(description="Удалить устаревшие попытки входа")
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)


# The keys of authenticator apps stay out of the admin: a device is set up by its owner
# on the site and removed by a superuser's «Сбросить двухфакторную защиту» above.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
