"""Upload forms of the imports. The file is only read here once its size is known."""

from django import forms

from profplan.uploads import MAX_FILE_BYTES

from ..models import School, SchoolYear

SIZE_HELP = f"Не больше {MAX_FILE_BYTES // (1024 * 1024)} МБ."


class DocxImportForm(forms.Form):
    file = forms.FileField(
        label="План в Word (.docx)",
        help_text="Таблица 1 в формате примерного плана. " + SIZE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx", "class": "form-control"}),
        error_messages={"required": "Выберите файл .docx."},
    )
    year = forms.ModelChoiceField(
        label="Учебный год плана",
        queryset=SchoolYear.objects.order_by("-start_date"),
        empty_label=None,
        help_text="План прошлого года можно загрузить в план этого: что не подойдёт к "
        "примерному плану года, будет показано.",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        """`user`: who imports; the years (and, in the admin, the schools) are those of
        the user's region."""
        super().__init__(*args, **kwargs)
        years = SchoolYear.objects.for_user(user) if user is not None else SchoolYear.objects
        self.fields["year"].queryset = years.order_by("-start_date")
        if "school" in self.fields and user is not None:
            self.fields["school"].queryset = School.objects.for_user(user).select_related(
                "municipality"
            )
        current = years.current()
        if current is not None and not self.is_bound:
            self.fields["year"].initial = current.pk


class AdminDocxImportForm(DocxImportForm):
    school = forms.ModelChoiceField(
        label="Школа",
        queryset=School.objects.select_related("municipality"),
        help_text="Чей это план.",
    )
    field_order = ["school", "year", "file"]

    def clean(self):
        data = super().clean()
        school, year = data.get("school"), data.get("year")
        if school and year and school.municipality.region_id != year.region_id:
            self.add_error("year", "Учебный год – другого региона, чем школа.")
        return data


class XlsxImportForm(forms.Form):
    file = forms.FileField(
        label="Книга Excel (.xlsx), выгруженная из этого плана",
        help_text="Скачайте план кнопкой «Excel», измените его и загрузите сюда. " + SIZE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
        error_messages={"required": "Выберите файл .xlsx."},
    )
