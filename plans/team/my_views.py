"""«Мои мероприятия» (`/my/`): a team member's own activities, the deputy director's
whole school by person. Nobody else has such a page (404): the centre, a coordinator
and the ministry have no rows of their own."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts import access
from plans.team.calendar_views import calendar_card_context
from plans.team.my import my_activities


@login_required
def my(request):
    if not access.is_school_user(request.user):
        raise Http404
    page = my_activities(request.user)
    context = {"page": page, **calendar_card_context(request.user)}
    return render(request, "plans/team/my.html", context)
