"""What the services refuse with: each carries the Russian words the pages show."""


class PlanConflict(Exception):
    """The plan changed since the page was loaded (another tab or another person)."""

    message = (
        "План уже изменён в другой вкладке или другим пользователем. Ваш текст не потерян: "
        "он остался в форме. Проверьте актуальный вариант и сохраните ещё раз."
    )


class SubmitRefused(Exception):
    """The plan is not ready: `problems` lists every reason in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class PlanNotEditable(Exception):
    message = "План сдан на рассмотрение или утверждён: изменить его можно, только когда региональный центр вернёт его на доработку."


class TransitionRefused(Exception):
    """A status change that the workflow does not allow; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowRefused(Exception):
    """A row cannot go where it was asked to (dragged out of its item of the plan, put
    back after its place is gone); nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
