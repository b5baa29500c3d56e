"""Places on one app's pages where another app shows its own fragments.

monitoring depends on plans, never the reverse, yet a plan's pages show monitoring's
parts (section II's indicators, the school's recommendations, a link to the region's
dashboard). A plans template marks the place with `{% fragments "name" %}` (tag
library `fragments`, registered in settings.TEMPLATES) and knows nothing more; the
other app registers what goes there in its `AppConfig.ready()` with
`fragment_register`, and the files that shape it (`sources`), so that a cache of a
page holding the place (the editor's) changes when they do (`fragment_sources`).
A place nobody filled renders as nothing.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django import template
from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class Fragment:
    render: Callable[[template.Context], str]  # the page's context in, HTML out
    sources: tuple[str, ...] = ()  # files that shape the HTML, relative to BASE_DIR


_PLACES: dict[str, list[Fragment]] = defaultdict(list)


def fragment_register(place: str, render, *, sources=()) -> None:
    """Show `render(context)` at `{% fragments place %}`; call from `AppConfig.ready()`."""
    fragment = Fragment(render, tuple(sources))
    if fragment not in _PLACES[place]:  # ready() may run twice (tests, autoreload)
        _PLACES[place].append(fragment)


def fragment_sources(place: str) -> tuple[str, ...]:
    """The files that shape what is shown at `place` (for `profplan.digest.source_digest`)."""
    return tuple(source for fragment in _PLACES.get(place, ()) for source in fragment.sources)


def fragments_render(place: str, context: template.Context) -> str:
    return "".join(str(fragment.render(context)) for fragment in _PLACES.get(place, ()))


register = template.Library()


@register.simple_tag(takes_context=True)
def fragments(context, place):
    """`{% fragments "plans.editor.section_ii" %}`: what other apps show here."""
    return mark_safe(fragments_render(place, context))  # rendered by their own templates
