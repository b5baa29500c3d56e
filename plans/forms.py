"""Forms validate; services write. Every message is in Russian."""

from django import forms

from plans.regional_template.catalogue import ACTIVITY_FIELDS
from profplan.forms import PlainTextField, limit_text, model_formfield

from .fields import EXPLANATORY_NOTE_MAX_LENGTH, GRADES, format_hours
from .models import ActivityTemplate, Direction, ExecutionStatus, Level, PlanRow, RowExecution

TEXTAREA = {"rows": 2, "class": "form-control form-control-sm"}
DATE_ERRORS = {"invalid": "Введите дату в формате ДД.ММ.ГГГГ."}


def posted_version(data) -> int:
    """The plan's version that the posted form was rendered with (its hidden `version`).
    A form without one can never win against a real one: -1."""
    try:
        return int(data.get("version", ""))
    except ValueError:
        return -1


class PlanNoteForm(forms.Form):
    """The plan's пояснительная записка, printed before Table 1."""

    explanatory_note = PlainTextField(
        label="Пояснительная записка",
        required=False,
        max_length=EXPLANATORY_NOTE_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "class": "form-control",
                "aria-describedby": "id_explanatory_note-help",
            }
        ),
        help_text="Печатается в PDF, Word и Excel перед Таблицей 1. Каждая строка — абзац.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["explanatory_note"], EXPLANATORY_NOTE_MAX_LENGTH)


class PlanRowForm(forms.ModelForm):
    """A school's row. Hours and grades are asked only for rows inside a level block."""

    class Meta:
        model = PlanRow
        formfield_callback = model_formfield
        fields = [
            "activity",
            "period",
            "start_date",
            "end_date",
            "responsible",
            "documents",
            "links",
            "results",
            "hours",
            "grades",
        ]
        widgets = {
            "activity": forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
            "period": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "start_date": forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            ),
            "end_date": forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            ),
            "responsible": forms.Textarea(attrs=TEXTAREA),
            "documents": forms.Textarea(attrs=TEXTAREA),
            "links": forms.Textarea(attrs={**TEXTAREA, "placeholder": "https://…"}),
            "results": forms.Textarea(attrs=TEXTAREA),
        }
        error_messages = {
            "hours": {"invalid": "Введите число часов, например 34 или 1,5."},
            "start_date": DATE_ERRORS,
            "end_date": DATE_ERRORS,
        }

    def __init__(self, *args, in_level_block: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_level_block = in_level_block
        if in_level_block:
            hours = self.fields["hours"]
            hours.localize = True  # «1,5» as people type it
            hours.widget = forms.TextInput(
                attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}
            )
            hours.widget.is_localized = True
            hours.required = True
            hours.min_value = 0
            hours.error_messages["required"] = (
                "Укажите, сколько часов занимает мероприятие в каждом классе."
            )
            hours.error_messages["min_value"] = "Количество часов не может быть отрицательным."
            grades = self.fields["grades"]
            grades.required = True
            grades.error_messages["required"] = (
                "Отметьте классы, для которых проводится мероприятие."
            )
            grades.error_messages["invalid_choice"] = "Класс %(value)s вне диапазона 6–11."
        else:
            del self.fields["hours"]
            del self.fields["grades"]
        self.fields["activity"].required = True
        self.fields["activity"].error_messages["required"] = "Опишите мероприятие."

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError("Количество часов не может быть отрицательным.")
        return hours


# Columns 3–7: what the school fills for a fixed activity of sections IV–V.
FIXED_ROW_FIELDS = [f for f in PlanRowForm.Meta.fields if f not in {"activity", "hours", "grades"}]


class FixedRowForm(forms.ModelForm):
    """A fixed activity of sections IV–V: its title is given, the school fills columns 3–7."""

    class Meta:
        model = PlanRow
        formfield_callback = model_formfield
        fields = FIXED_ROW_FIELDS
        widgets = {k: v for k, v in PlanRowForm.Meta.widgets.items() if k in FIXED_ROW_FIELDS}
        error_messages = {"start_date": DATE_ERRORS, "end_date": DATE_ERRORS}


class LevelsForm(forms.Form):
    """The level of the профминимум for each grade 6–11 (or none)."""

    def __init__(self, *args, levels: list[Level], initial_levels: dict[int, int | None], **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {level.pk: level for level in levels}
        choices = [("", "не реализуется")] + [
            (level.pk, f"{level.name} ({level.min_hours} ч)") for level in levels
        ]
        for grade in GRADES:
            self.fields[f"grade_{grade}"] = forms.TypedChoiceField(
                label=f"{grade} класс",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=initial_levels.get(grade),
                error_messages={"invalid_choice": "Выберите уровень из списка."},
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def selects(self):
        """(name, id, label, [(value, text, selected)]) for each grade: the editor writes
        the six selects itself, as Django's widget templates cost more than the
        300 rows of the table around them."""
        for name, field in self.fields.items():
            current = self[name].value()
            current = "" if current is None else str(current)
            options = [(str(value), text, str(value) == current) for value, text in field.choices]
            yield name, f"id_{name}", field.label, options

    def levels_by_grade(self) -> dict[int, Level | None]:
        return {grade: self.levels.get(self.cleaned_data[f"grade_{grade}"]) for grade in GRADES}


class StartPlanForm(forms.Form):
    MODE_CHOICES = [
        ("empty", "пустой план по примерному плану"),
        ("copy", "копия плана прошлого года"),
    ]
    mode = forms.ChoiceField(
        label="Как начать", choices=MODE_CHOICES, initial="empty", widget=forms.RadioSelect
    )


GENERAL_GROUP = "Общие мероприятия (разделы I–III)"


def catalogue_group_name(direction: Direction | None, level: Level | None) -> str:
    """«Внеурочная деятельность», «Внеурочная деятельность · базовый уровень»."""
    name = direction.name if direction else GENERAL_GROUP
    return f"{name} · {level.name} уровень" if level else name


def catalogue_group_key(activity: ActivityTemplate) -> tuple:
    """Document order: general activities first, then the directions, each for any
    level and then level by level."""
    direction, level = activity.direction, activity.level
    return (
        (0, 0, 0) if direction is None else (1, direction.order, direction.pk),
        (0, 0, 0) if level is None else (1, level.order, level.pk),
    )


def catalogue_groups(
    activities: list[ActivityTemplate],
    direction_id: int | None,
    level_directions=(),
    level_id: int | None = None,
):
    """Catalogue activities grouped by direction and level, the most fitting first:
    the heading's own direction (at the block's level, then for any level), then the
    other directions of its level block (`level_directions`), then the rest in
    document order; groups of another level than the block's come last.
    `activities` come with their direction and level (select_related).
    [(group name, [(pk, title, hours as «34» or «»), …]), …]."""
    groups: dict[tuple, list] = {}
    names: dict[tuple, str] = {}
    rank: dict[tuple, tuple] = {}
    for activity in sorted(activities, key=lambda a: (a.order, a.pk)):
        key = catalogue_group_key(activity)
        if key not in groups:
            names[key] = catalogue_group_name(activity.direction, activity.level)
            rank[key] = (
                activity.level_id not in (None, level_id),
                0
                if activity.direction_id == direction_id
                # (A block's heading without a direction, «по выбору», does not
                # bring the general activities of sections I–III forward.)
                else 1
                if activity.direction_id is not None and activity.direction_id in level_directions
                else 2,
                0 if activity.level_id == level_id else 1,
                key,
            )
        hours = "" if activity.typical_hours is None else format_hours(activity.typical_hours)
        groups.setdefault(key, []).append((activity.pk, activity.title, hours))
    return [(names[key], groups[key]) for key in sorted(groups, key=rank.__getitem__)]


class ActivityTemplateForm(forms.ModelForm):
    """A typical activity of the catalogue, as the centre writes it: every column a
    school's row gets from it, its direction and level, with the site's text limits."""

    class Meta:
        model = ActivityTemplate
        formfield_callback = model_formfield
        fields = ACTIVITY_FIELDS
        widgets = {
            "title": forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            "direction": forms.Select(attrs={"class": "form-select"}),
            "level": forms.Select(attrs={"class": "form-select"}),
            "period": forms.TextInput(attrs={"class": "form-control"}),
            "responsible": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "documents": forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            "links": forms.Textarea(
                attrs={"rows": 2, "class": "form-control", "placeholder": "https://…"}
            ),
            "results": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        }
        error_messages = {
            "title": {"required": "Назовите мероприятие."},
            "typical_hours": {
                "invalid": "Введите число часов, например 34 или 1,5.",
                "max_digits": "Не более 9999,9 часа.",
                "max_whole_digits": "Не более 9999,9 часа.",
                "max_decimal_places": "Часы – с точностью до десятых, например 1,5.",
            },
            "direction": {"invalid_choice": "Выберите направление из списка."},
            "level": {"invalid_choice": "Выберите уровень из списка."},
        }

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.year = year
        direction, level = self.fields["direction"], self.fields["level"]
        direction.queryset = Direction.objects.filter(year=year)
        direction.empty_label = "— общие мероприятия (разделы I–III) —"
        level.queryset = Level.objects.filter(year=year)
        level.empty_label = "— любой уровень —"
        level.label_from_instance = lambda level: f"{level.name} (не менее {level.min_hours} ч)"
        hours = self.fields["typical_hours"]
        hours.localize = True  # «1,5» as people type it
        hours.widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
        hours.widget.is_localized = True
        hours.min_value = 0
        hours.error_messages["min_value"] = "Количество часов не может быть отрицательным."

    def clean_typical_hours(self):
        hours = self.cleaned_data.get("typical_hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError("Количество часов не может быть отрицательным.")
        return hours


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files in one input; each is checked by its content (plans/execution/evidence.py)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        from plans.execution.evidence import check_upload

        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(EvidenceFilesField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                check_upload(upload)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class RowExecutionForm(forms.ModelForm):
    """The compact form a school marks a row with, on a phone as well."""

    files = EvidenceFilesField(label="Файлы (приказ, фотоотчёт, программа)", required=False)

    class Meta:
        model = RowExecution
        formfield_callback = model_formfield
        fields = [
            "status",
            "moved_to",
            "start_date",
            "end_date",
            "grades",
            "pupils",
            "hours",
            "result",
            "links",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "moved_to": forms.DateInput(
                attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
            ),
            "start_date": forms.DateInput(
                attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
            ),
            "end_date": forms.DateInput(
                attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
            ),
            "pupils": forms.NumberInput(
                attrs={"class": "form-control", "inputmode": "numeric", "min": 0}
            ),
            "result": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "links": forms.Textarea(
                attrs={"rows": 2, "class": "form-control", "placeholder": "https://…"}
            ),
        }
        error_messages = {
            "status": {"required": "Отметьте, выполнено ли мероприятие."},
            "hours": {"invalid": "Введите число часов, например 2 или 1,5."},
            "pupils": {
                "invalid": "Введите число обучающихся целым числом.",
                "min_value": "Число обучающихся не может быть отрицательным.",
            },
            "moved_to": DATE_ERRORS,
            "start_date": DATE_ERRORS,
            "end_date": DATE_ERRORS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ExecutionStatus.choices  # no «---------» radio
        hours = self.fields["hours"]
        hours.localize = True  # «1,5» as people type it
        hours.widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
        hours.widget.is_localized = True
        hours.min_value = 0
        hours.error_messages["min_value"] = "Количество часов не может быть отрицательным."
        self.fields["grades"].error_messages["invalid_choice"] = (
            "Класс %(value)s вне диапазона 6–11."
        )
        self.fields["files"].widget.attrs.update(
            {"class": "form-control", "accept": _evidence_accept()}
        )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == "moved" and not cleaned.get("moved_to"):
            self.add_error("moved_to", "Укажите, на какую дату перенесено мероприятие.")
        if status != "moved":
            cleaned["moved_to"] = None
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "Дата окончания раньше даты начала.")
        return cleaned

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError("Количество часов не может быть отрицательным.")
        return hours


def _evidence_accept() -> str:
    from plans.execution.evidence import ACCEPT

    return ACCEPT
