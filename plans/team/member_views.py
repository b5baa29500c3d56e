"""The school's team: the deputy director's pages to add, invite, change and remove
colleagues, print a sign-in sheet, and see who marked what. Only the school's deputy
opens them; anyone else (a team member, another school, a coordinator, the centre)
gets 404, as for any page that is not theirs. Another school's member is not found."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from accounts import access
from accounts.models import SchoolRole
from plans.models import Plan, PlanStatus, RowExecution
from plans.numbering import plan_lines
from plans.services.errors import TransitionRefused
from plans.team import members
from plans.team.member_forms import PRINT_SHEET, TeamMemberAddForm, TeamMemberForm
from profplan.ids import id_or_404
from profplan.qr import qr_svg
from profplan.site import site_url

HISTORY_PAGE = 50


def _deputy(request):
    """The signed-in deputy director, or 404 for everyone else."""
    if not access.is_school_deputy(request.user):
        raise Http404
    return request.user


def _team(school_id):
    return get_user_model().objects.filter(school_id=school_id, school_role=SchoolRole.MEMBER)


def _member(request, user_pk):
    """An active member of the deputy's own school; anyone else's: 404."""
    deputy = _deputy(request)
    return get_object_or_404(_team(deputy.school_id).filter(is_active=True), pk=user_pk)


def _form_errors(form, error: ValidationError) -> None:
    """A service's ValidationError by field onto the form (the typed data stays)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def team(request):
    """The team: one query for its people, whatever their number."""
    deputy = _deputy(request)
    people = list(
        _team(deputy.school_id).filter(is_active=True).order_by("last_name", "first_name")
    )
    return render(
        request,
        "plans/team/team.html",
        {
            "school": deputy.school,
            "people": people,
            "removed": _team(deputy.school_id).filter(is_active=False).count(),
        },
    )


@login_required
def team_add(request):
    deputy = _deputy(request)
    form = TeamMemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = members.team_member_add(
                school=deputy.school,
                by=deputy,
                full_name=data["full_name"],
                team_position=data["team_position"],
                email=data["email"],
                marks_any_row=data["marks_any_row"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            if data["delivery"] == PRINT_SHEET:
                messages.success(
                    request,
                    f"{members.full_name(member)} в команде. Распечатайте лист входа и передайте его.",
                )
                return redirect("plans:team-sheet", member.pk)
            members.team_member_invite(member=member, by=deputy)
            messages.success(
                request,
                f"{members.full_name(member)} в команде. Приглашение отправлено на {member.email}.",
            )
            return redirect("plans:team")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "plans/team/member_form.html",
        {"form": form, "school": deputy.school},
        status=status,
    )


@login_required
def team_member(request, user_pk):
    """Change a member; «Отправить приглашение ещё раз» (a POST with `invite`)."""
    member = _member(request, user_pk)
    deputy = request.user
    if request.method == "POST" and "invite" in request.POST:
        try:
            members.team_member_invite(member=member, by=deputy)
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, f"Приглашение отправлено на {member.email}.")
        return redirect("plans:team-member", member.pk)
    initial = {
        "full_name": members.full_name(member),
        "team_position": member.team_position,
        "email": member.email,
        "marks_any_row": member.marks_any_row,
    }
    form = TeamMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            members.team_member_update(
                member=member,
                by=deputy,
                full_name=data["full_name"],
                team_position=data["team_position"],
                email=data["email"],
                marks_any_row=data["marks_any_row"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Изменения сохранены.")
            return redirect("plans:team")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "plans/team/member_form.html",
        {"form": form, "school": deputy.school, "member": member},
        status=status,
    )


@never_cache
@login_required
def team_sheet(request, user_pk):
    """The printable sign-in sheet. For a member who has not set a password yet a GET
    shows it (the link is made from the account's state and changes nothing). For one
    who has, the sheet's link would replace the password: the page asks first, and the
    POST that resets the password answers with the sheet."""
    member = _member(request, user_pk)
    if request.method == "POST":
        link = members.team_member_sheet_prepare(member=member, by=request.user)
    elif member.has_usable_password():
        return render(request, "plans/team/sheet_confirm.html", {"member": member})
    else:
        link = members.team_member_sheet_url(member)
    context = {
        "member": member,
        "school": request.user.school,
        "link": link,
        "site": site_url() + "/",
        "qr": qr_svg(link, css_class="sheet-qr", label="QR-код ссылки для входа"),
        "days": members.invitation_days(),
    }
    response = render(request, "plans/team/sheet.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def team_remove(request, user_pk):
    """GET: are you sure? POST: the member leaves the team (their marks stay)."""
    member = _member(request, user_pk)
    if request.method == "POST":
        members.team_member_remove(member=member, by=request.user)
        messages.success(
            request,
            f"{members.full_name(member)} больше не в команде. Отметки, сделанные им, "
            "остались и подписаны его именем.",
        )
        return redirect("plans:team")
    assigned = member.row_assignments.count()
    return render(request, "plans/team/remove.html", {"member": member, "assigned": assigned})


@login_required
def team_history(request):
    """Who marked what in one of the school's plans (the latest approved one unless
    chosen): every saved mark from the execution's history, newest first, 50 a page.
    A fixed number of queries: the plans, the plan's bundle (for the numbers), the
    count and the page of records with their people."""
    deputy = _deputy(request)
    plans = list(
        Plan.objects.filter(school_id=deputy.school_id)
        .select_related("year")
        .order_by("-year__start_date")
    )
    chosen = request.GET.get("plan")
    if chosen:
        plan = next((p for p in plans if p.pk == id_or_404(chosen)), None)
        if plan is None:
            raise Http404
    else:
        plan = next((p for p in plans if p.status == PlanStatus.APPROVED), None) or (
            plans[0] if plans else None
        )
    page = None
    numbers = {}
    if plan is not None:
        records = (
            RowExecution.history.filter(row__plan=plan)
            .select_related("row", "recorded_by", "history_user")
            .order_by("-history_date", "-history_id")
        )
        page = Paginator(records, HISTORY_PAGE).get_page(request.GET.get("page"))
        numbers = {
            line.row.pk: (line.number, line.title)
            for line in plan_lines(Plan.objects.for_editor().get(pk=plan.pk))
            if line.row is not None
        }
        for record in page:
            # A row outside the plan's lines (a level block of a level not chosen) has
            # no number: its own text then.
            record.number, record.title = numbers.get(record.row_id, ("", record.row.activity))
            record.person = record.recorded_by or record.history_user
    return render(
        request,
        "plans/team/history.html",
        {"school": deputy.school, "plans": plans, "plan": plan, "page": page},
    )
