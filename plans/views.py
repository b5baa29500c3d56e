from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Plan


@login_required
def home(request):
    plans = Plan.objects.for_user(request.user).for_list()
    return render(request, "plans/home.html", {"plans": plans})
