from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import access
from plans.admin import RegionScoped
from plans.plurals import ru_plural

from .exports import EXPORT_LIMIT, events_xlsx_response
from .models import AuditEvent


class PersonFilter(admin.RelatedOnlyFieldListFilter):
    """The people found in the events the user may see, by name and login: two
    «Анна Петрова» of two schools must not look the same."""

    def field_choices(self, field, request, model_admin):
        found = model_admin.get_queryset(request).values_list("user__pk", flat=True)
        people = field.related_model._default_manager.filter(pk__in=found).order_by(
            "last_name", "first_name", "username"
        )
        return [(person.pk, _person_label(person)) for person in people]


def _person_label(person) -> str:
    name = person.get_full_name()
    return f"{name} ({person.username})" if name else person.username


@admin.register(AuditEvent)
class AuditEventAdmin(RegionScoped, admin.ModelAdmin):
    """The audit trail, read only: nobody adds, changes or deletes an event here
    (`manage.py prune_audit` deletes the old ones). A region's centre sees its
    region's events (RegionScoped); the filters offer only the people and schools
    found in them."""

    list_display = ["when", "person", "kind", "detail", "school", "address"]
    list_display_links = None
    list_filter = [
        "kind",
        ("user", PersonFilter),
        ("school", admin.RelatedOnlyFieldListFilter),
        "region",
    ]
    list_select_related = ["school"]
    date_hierarchy = "at"
    search_fields = ["username", "detail", "address"]
    search_help_text = "Логин, адрес или слова из «что» (имя файла, роль)."
    actions = None
    # The trail grows by the thousand a day: counting all of it for «из N» on every
    # page is a scan nobody needs.
    show_full_result_count = False

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if access.is_unconfined(request.user):
            return filters
        # One region's staff have one region: a filter with a single choice is noise.
        return [entry for entry in filters if _field_of(entry) != "region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="когда", ordering="at")
    def when(self, event):
        # To the second: the order of a sign-in and a download matters to an audit.
        return timezone.localtime(event.at).strftime("%d.%m.%Y %H:%M:%S")

    @admin.display(description="кто", ordering="username")
    def person(self, event):
        """The login; a click shows the person's other events."""
        if event.user_id is None:
            return event.username or "—"
        return format_html('<a href="?user__id__exact={}">{}</a>', event.user_id, event.username)

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="audit_auditevent_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """«Выгрузить в Excel»: the list as filtered and searched on the page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        back = reverse("admin:audit_auditevent_changelist")
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(f"{back}?e=1")
        events = changelist.get_queryset(request)
        count = events.count()
        if count > EXPORT_LIMIT:
            self.message_user(
                request,
                f"В выборке {_number(count)} "
                f"{ru_plural(count, 'событие', 'события', 'событий')}, в файл выгружается не "
                f"больше {_number(EXPORT_LIMIT)}: сузьте её фильтрами (например, по дате).",
                messages.ERROR,
            )
            query = request.GET.urlencode()
            return redirect(f"{back}?{query}" if query else back)
        return events_xlsx_response(events)


def _number(value: int) -> str:
    """«50 000»: thousands apart, as Russian writes them."""
    return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}")


def _field_of(entry) -> str:
    return entry[0] if isinstance(entry, tuple) else entry
