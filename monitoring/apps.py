from django.apps import AppConfig


def plan_sections(plans):
    """Sections II and V travel with the plan: the editor and both exports show them."""
    from django.db.models import Prefetch

    from .models import PlanIndicator

    return plans.select_related("self_analysis").prefetch_related(
        Prefetch("indicators", queryset=PlanIndicator.objects.for_display()),
        "self_analysis__indicators",
        "self_analysis__campaigns",
    )


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"
    # Loaded by `manage.py load_reference` (plans), after plans' template of the year.
    reference_fixtures = [("fixtures/monitoring_2023_2024.json", "monitoring.Indicator")]

    def ready(self):
        """monitoring depends on plans, never the reverse: what it adds to a plan's
        pages it registers here (its fragments on plans' pages: monitoring/fragments.py)."""
        from django.db.models.signals import post_delete, post_save

        from plans.querysets import editor_bundle_extend
        from plans.signals import reference_changed

        from .fragments import register_fragments
        from .models import Indicator

        editor_bundle_extend(plan_sections)
        register_fragments()
        # An indicator's name and unit show in section II of every plan of its year.
        for signal in (post_save, post_delete):
            signal.connect(reference_changed, sender=Indicator, dispatch_uid="reference-indicator")
