"""The forms of the team's pages: they validate what is typed; plans/team/members.py
writes (and checks what needs the database: an e-mail nobody else has)."""

from django import forms

from accounts.models import TeamPosition
from profplan.forms import PlainTextField

INVITE_BY_MAIL = "mail"
PRINT_SHEET = "sheet"


class TeamMemberForm(forms.Form):
    full_name = PlainTextField(
        label="ФИО",
        max_length=300,
        help_text="Фамилия, имя и отчество: «Петрова Анна Сергеевна».",
        error_messages={"required": "Укажите фамилию и имя."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    team_position = forms.ChoiceField(
        label="Должность",
        choices=TeamPosition.choices,
        error_messages={
            "required": "Выберите должность.",
            "invalid_choice": "Выберите должность из списка.",
        },
    )
    email = forms.EmailField(
        label="Электронная почта",
        max_length=254,
        error_messages={
            "required": "Укажите адрес электронной почты: на него придёт приглашение.",
            "invalid": "Введите адрес электронной почты, например petrova@mail.ru.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    marks_any_row = forms.BooleanField(
        label="Может отмечать любые строки плана",
        required=False,
        help_text="Без этого участник отмечает исполнение только назначенных ему мероприятий.",
    )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Укажите фамилию и имя.")
        return name


class TeamMemberAddForm(TeamMemberForm):
    delivery = forms.ChoiceField(
        label="Как передать вход",
        choices=[
            (INVITE_BY_MAIL, "Отправить приглашение по почте"),
            (PRINT_SHEET, "Распечатать лист входа"),
        ],
        initial=INVITE_BY_MAIL,
        widget=forms.RadioSelect,
        error_messages={"required": "Выберите, как передать вход."},
    )
