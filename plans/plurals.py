"""Russian plural forms for counted words: «1 план», «3 плана», «5 планов».

Django's admin prints a count with the model's `verbose_name_plural` («3 планы»), and
`ngettext` with two English forms cannot say all three Russian ones.
"""

# Models the admin counts, by `app_label.model_name`: forms for 1, 2–4 and 5 of them.
COUNTED = {
    "plans.plan": ("план", "плана", "планов"),
    "plans.school": ("организация", "организации", "организаций"),
    "plans.municipality": ("муниципалитет", "муниципалитета", "муниципалитетов"),
    "plans.planrow": ("строка", "строки", "строк"),
    "plans.plancomment": ("комментарий", "комментария", "комментариев"),
    "plans.plansubmission": ("сданная версия", "сданные версии", "сданных версий"),
    "plans.activitytemplate": ("мероприятие", "мероприятия", "мероприятий"),
    "plans.templateitem": ("пункт", "пункта", "пунктов"),
    "accounts.user": ("пользователь", "пользователя", "пользователей"),
    "monitoring.report": ("отчёт", "отчёта", "отчётов"),
    "monitoring.indicator": ("показатель", "показателя", "показателей"),
    "monitoring.recommendation": ("рекомендация", "рекомендации", "рекомендаций"),
}


def ru_plural(count: int, one: str, few: str, many: str) -> str:
    """The form of a noun after `count`: 1, 21 план; 2–4, 22 плана; 5–20, 11–14 планов."""
    count = abs(count)
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def counted(count: int, opts) -> str:
    """«3 плана» for a model in COUNTED; otherwise «Учебные годы: 3», which is correct
    Russian for any count."""
    forms = COUNTED.get(opts.label_lower)
    if forms:
        return f"{count} {ru_plural(count, *forms)}"
    return f"{str(opts.verbose_name_plural).capitalize()}: {count}"
