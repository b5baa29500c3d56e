"""Filters for the PDF template (templates/plans/pdf/plan.html)."""

from django import template

from plans.documents.formats.layout import taller_than_page

register = template.Library()

# A row taller than a page is marked in the PDF so that it may split (pdf.css: tr.tall).
register.filter("taller_than_page", taller_than_page)
