"""Forms validate what people type; the services in monitoring/services.py save it.

Decimal fields are localized, so «12,5» is read as 12.5 (Django's decimal field
refuses the comma otherwise), and every message is in the users' words.
"""

from django import forms

from plans.models import Municipality, School
from profplan.forms import PlainTextField, model_formfield

from .models import Campaign, Indicator, Path, SelfAnalysis, SurveyCount

VALUE_ERRORS = {
    "invalid": "Введите число, например 12,5.",
    "min_value": "Значение не может быть отрицательным.",
    "max_value": "Процент – число от 0 до 100.",
    "max_digits": "Слишком большое число.",
    "max_decimal_places": "Не больше двух знаков после запятой.",
    "max_whole_digits": "Слишком большое число.",
}


def value_field(indicator: Indicator, *, label: str = "", required: bool = False):
    return forms.DecimalField(
        label=label,
        required=required,
        localize=True,
        min_value=0,
        max_value=100 if indicator.is_percent else None,
        max_digits=9,
        decimal_places=2,
        error_messages={**VALUE_ERRORS, "required": "Укажите значение."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ReportValuesForm(forms.Form):
    """One field per indicator the school enters: `indicator_<id>`."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_indicators = list(indicators)
        self.indicators = [i for i in self.all_indicators if not i.is_computed]
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = value_field(
                indicator, label=f"Факт, {indicator.get_unit_display()}"
            )

    def values(self) -> dict:
        return {i.pk: self.cleaned_data.get(f"indicator_{i.pk}") for i in self.indicators}

    def rows(self, targets: dict, computed: dict, executed: dict | None = None):
        """(indicator, target, bound field or None, computed value, count from the
        execution or None, whether the field holds that count) in catalogue order."""
        executed = executed or {}
        for indicator in self.all_indicators:
            field = None if indicator.is_computed else self[f"indicator_{indicator.pk}"]
            count = executed.get(indicator.pk)
            holds = False
            if field is not None and count is not None:
                try:
                    holds = self.fields[field.name].clean(field.value()) == count
                except forms.ValidationError:
                    holds = False
            yield (
                indicator,
                targets.get(indicator.pk),
                field,
                computed.get(indicator.pk),
                count,
                holds,
            )


class SurveyForm(forms.Form):
    """The 4.2 survey for one grade: numbers of pupils only, no names."""

    def __init__(self, *args, grade: int, sectors, **kwargs):
        kwargs.setdefault("prefix", f"g{grade}")
        super().__init__(*args, **kwargs)
        self.grade = grade
        self.sectors = list(sectors)
        count = {
            "required": False,
            "min_value": 0,
            # More than any parallel of a school has; a bigger number would not fit
            # the column (a server error) and is surely a typo.
            "max_value": 100_000,
            "error_messages": {
                "invalid": "Введите целое число.",
                "min_value": "Число не может быть отрицательным.",
                "max_value": "Слишком большое число: не больше 100 000.",
            },
        }
        self.fields["pupils"] = forms.IntegerField(
            label=f"Обучающихся в {grade} классах (всего)", **count
        )
        self.paths = SurveyCount.paths_for(grade)
        for path in self.paths:
            self.fields[path.value] = forms.IntegerField(label=path.label, **count)
        for sector in self.sectors:
            self.fields[f"sector_{sector.pk}"] = forms.IntegerField(label=sector.name, **count)

    def path_fields(self):
        return [self[path.value] for path in self.paths]

    def sector_fields(self):
        return [self[f"sector_{sector.pk}"] for sector in self.sectors]

    @property
    def is_blank(self) -> bool:
        return self.is_bound and all(
            self.cleaned_data.get(name) in (None, "") for name in self.fields
        )

    def clean(self):
        data = super().clean()
        pupils = data.get("pupils")
        names = [p.value for p in self.paths] + [f"sector_{s.pk}" for s in self.sectors]
        if pupils is None:
            if any(data.get(name) for name in names):
                self.add_error("pupils", "Укажите, сколько всего обучающихся в параллели.")
            return data
        for name in names:
            value = data.get(name)
            if value is not None and value > pupils:
                self.add_error(
                    name, f"Не больше числа обучающихся в {self.grade} классах ({pupils})."
                )
        paths = sum(data.get(p.value) or 0 for p in self.paths)
        if paths != pupils:
            raise forms.ValidationError(
                f"{self.grade} классы: сумма по вариантам ({paths}) не равна числу "
                f"обучающихся ({pupils}). Каждого ученика учитывают один раз: тех, кто ещё не "
                "решил, – в графе «не определились».",
                code="paths_do_not_add_up",
            )
        sectors = sum(data.get(f"sector_{s.pk}") or 0 for s in self.sectors)
        if sectors > pupils:
            raise forms.ValidationError(
                f"{self.grade} классы: выбравших отрасль ({sectors}) больше, чем обучающихся "
                f"({pupils}).",
                code="sectors_exceed_pupils",
            )
        return data

    def paths_data(self) -> dict[str, int]:
        return {p.value: self.cleaned_data.get(p.value) or 0 for p in Path if p in self.paths}

    def sectors_data(self) -> dict[int, int]:
        return {s.pk: self.cleaned_data.get(f"sector_{s.pk}") or 0 for s in self.sectors}


class PlanIndicatorsForm(forms.Form):
    """Section II: per catalogue indicator, `use_<id>`, `baseline_<id>`, `target_<id>`."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"use_{indicator.pk}"] = forms.BooleanField(label="В плане", required=False)
            self.fields[f"baseline_{indicator.pk}"] = value_field(indicator, label="Исходное")
            self.fields[f"target_{indicator.pk}"] = value_field(indicator, label="Целевое")

    def rows(self, computed: dict):
        for indicator in self.indicators:
            yield (
                indicator,
                self[f"use_{indicator.pk}"],
                self[f"baseline_{indicator.pk}"],
                self[f"target_{indicator.pk}"],
                computed.get(indicator.pk),
            )

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            if data.get(f"use_{indicator.pk}") and data.get(f"target_{indicator.pk}") is None:
                if f"target_{indicator.pk}" not in self.errors:
                    self.add_error(f"target_{indicator.pk}", "Укажите целевое значение.")
        return data

    def chosen(self):
        return [
            (
                indicator,
                self.cleaned_data.get(f"baseline_{indicator.pk}"),
                self.cleaned_data.get(f"target_{indicator.pk}"),
            )
            for indicator in self.indicators
            if self.cleaned_data.get(f"use_{indicator.pk}")
        ]


class SelfAnalysisForm(forms.ModelForm):
    class Meta:
        model = SelfAnalysis
        formfield_callback = model_formfield
        fields = ["results", "problems", "effectiveness", "next_steps", "indicators", "campaigns"]
        widgets = {
            # Tall enough for the draft written from the execution (monitoring/draft.py).
            "results": forms.Textarea(attrs={"rows": 12}),
            "problems": forms.Textarea(attrs={"rows": 10}),
            "effectiveness": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 8}),
            "indicators": forms.CheckboxSelectMultiple,
            "campaigns": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(year_id=plan.year_id)
        self.fields["campaigns"].queryset = Campaign.objects.filter(
            year_id=plan.year_id, reports__school_id=plan.school_id
        )


class AnswerForm(forms.Form):
    answer = PlainTextField(
        label="Что сделано по рекомендации",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Напишите, что сделано по рекомендации."},
    )


class RecommendationSendForm(forms.Form):
    """To one school, or to every school of a campaign matching a filter."""

    campaign = forms.ModelChoiceField(
        label="Кампания мониторинга", queryset=Campaign.objects.all(), required=False
    )
    school = forms.ModelChoiceField(
        label="Одной школе",
        queryset=School.objects.select_related("municipality"),
        required=False,
        help_text="Или оставьте пустым и выберите условие ниже.",
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=Municipality.objects.all(), required=False
    )
    indicator = forms.ModelChoiceField(
        label="Показатель", queryset=Indicator.objects.select_related("year"), required=False
    )
    below_target = forms.BooleanField(
        label="Школам, у которых показатель ниже целевого значения", required=False
    )
    not_submitted = forms.BooleanField(label="Школам, не сдавшим отчёт", required=False)
    text = PlainTextField(
        label="Рекомендация", widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )

    def clean(self):
        data = super().clean()
        if data.get("school"):
            return data
        if not data.get("campaign"):
            raise forms.ValidationError(
                "Выберите одну школу или кампанию, по итогам которой отобрать школы."
            )
        if data.get("below_target") and not data.get("indicator"):
            self.add_error("indicator", "Выберите показатель, ниже целевого значения которого.")
        if not (data.get("below_target") or data.get("not_submitted") or data.get("municipality")):
            raise forms.ValidationError(
                "Выберите условие: показатель ниже цели, отчёт не сдан или муниципалитет."
            )
        return data
