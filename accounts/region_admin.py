"""The admin's side of the access rule (accounts/access.py): a centre's staff see only
their region's rows, pages, filters and choices. Every regional admin (plans,
monitoring, accounts) mixes RegionScoped in."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.http import Http404

from accounts import access


def _region_field(model_admin, model) -> str | None:
    """The lookup from `model` to Region, as its admin declares it; None: not regional."""
    related = model_admin.admin_site._registry.get(model)
    return getattr(related, "region_field", None)


def _in_region(model_admin, request, model):
    """`model`'s rows of the user's region, or None when `model` is not regional."""
    field = _region_field(model_admin, model)
    if field is None:
        return None
    return access.scope_region(model._default_manager.all(), request.user, field)


class RegionRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a related object (year, municipality, campaign) that offers only the
    user's region's objects: another region's names are not listed either."""

    def field_choices(self, field, request, model_admin):
        scoped = _in_region(model_admin, request, field.related_model)
        if scoped is None or access.is_unconfined(request.user):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to=Q(pk__in=scoped.values("pk")),
        )


class RegionScoped:
    """Admin of a region's data: the list, the pages and the choices of related objects
    are the user's region's (`access.scope_region`); another region's object is a 404.
    `region_field` is the lookup from the model to Region ("" for Region itself)."""

    region_field = "region"

    def get_queryset(self, request):
        return access.scope_region(super().get_queryset(request), request.user, self.region_field)

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:  # not there, or another region's: the same answer
            raise Http404("Такого объекта нет.")
        return found

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                try:
                    last = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    last = None
                if last is not None and last.is_relation and last.many_to_one:
                    entry = (entry, RegionRelatedFilter)
            filters.append(entry)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = _in_region(self, request, db_field.related_model)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = _in_region(self, request, db_field.related_model)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)
