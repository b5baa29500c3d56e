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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = SchoolYear.objects.current()
        if current is not None and not self.is_bound:
            self.fields["year"].initial = current.pk


class AdminDocxImportForm(DocxImportForm):
    school = forms.ModelChoiceField(
        label="Школа",
        queryset=School.objects.select_related("municipality"),
        help_text="Чей это план.",
    )
    field_order = ["school", "year", "file"]


class XlsxImportForm(forms.Form):
    file = forms.FileField(
        label="Книга Excel (.xlsx), выгруженная из этого плана",
        help_text="Скачайте план кнопкой «Excel», измените его и загрузите сюда. " + SIZE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
        error_messages={"required": "Выберите файл .xlsx."},
    )
