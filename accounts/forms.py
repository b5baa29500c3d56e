from django import forms


class CodeForm(forms.Form):
    """The code page: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label="Код",
        max_length=20,
        help_text="6 цифр из приложения-аутентификатора или один из кодов восстановления.",
        error_messages={"required": "Введите код."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class FirstCodeForm(forms.Form):
    """The enrolment page: the first code the app shows confirms the key."""

    code = forms.CharField(
        label="Код из приложения",
        max_length=10,
        help_text="6 цифр, которые приложение показывает для «Профплан».",
        error_messages={"required": "Введите код из приложения."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
