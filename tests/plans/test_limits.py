"""A cell of Table 1 is a paragraph, not a book: every text field says its limit
and refuses more in Russian, keeping what was typed."""

import pytest
from django.urls import reverse

from plans.fields import CELL_MAX_LENGTH
from plans.models import PlanRow
from tests.plans.test_editor import HTMX, version

pytestmark = pytest.mark.django_db


def test_the_row_form_shows_the_limit_without_cutting_pasted_text(client, deputy, plan):
    client.force_login(deputy)
    row = plan.rows.filter(fixed_item=None).first()
    form = client.get(reverse("plans:row-edit", args=[plan.pk, row.pk]), **HTMX).content.decode()
    assert "Не более 2\u00a0000 знаков." in form
    assert 'data-limit="2000"' in form
    assert "maxlength" not in form.split('name="period"')[0]  # no silent cut in the browser


def test_too_long_a_cell_is_refused_in_russian_and_the_text_stays_in_the_form(client, deputy, plan):
    client.force_login(deputy)
    row = plan.rows.filter(fixed_item=None).first()
    text = "Экскурсия " * 250  # 2,500 characters
    response = client.post(
        reverse("plans:row-edit", args=[plan.pk, row.pk]),
        {"activity": text, "version": version(plan)},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert f"допускается не более {CELL_MAX_LENGTH}" in page
    assert "Сократите его" in page
    assert text.strip() in page  # nothing typed is lost
    assert PlanRow.objects.get(pk=row.pk).activity != text
