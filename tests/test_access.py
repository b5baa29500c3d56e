"""Every URL of the site and of the admin, as every role: who gets 200, who is sent
to sign in (302), who is refused (403) and who is told it does not exist (404).

A new URL in plans/ or monitoring/ must be added to SITE below: the last test fails
until it is.
"""

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse

from accounts.roles import COORDINATOR, DEPUTY, REGIONAL, ensure_roles
from monitoring.models import Recommendation, Report
from plans.documents.queue import plan_document
from plans.models import ActivityTemplate, Document, Municipality, PlanComment, TemplateItem
from tests.conftest import is_make_document_page
from tests.factories import UserFactory, open_campaign
from tests.signin import log_in

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "deputy",
    "other_deputy",
    "coordinator",
    "far_coordinator",
    "reviewer",
    "superuser",
]


@pytest.fixture
def world(plan, deputy, other_deputy, coordinator, reviewer, superuser, campaign):
    groups = ensure_roles()
    deputy.groups.add(groups[DEPUTY])
    other_deputy.groups.add(groups[DEPUTY])
    coordinator.groups.add(groups[COORDINATOR])
    reviewer.groups.add(groups[REGIONAL])
    far = Municipality.objects.exclude(pk=plan.school.municipality_id).first()
    far_coordinator = UserFactory(username="far_coordinator", municipality=far)
    far_coordinator.groups.add(groups[COORDINATOR])
    comment = PlanComment.objects.create(plan=plan, author=reviewer, text="Уточните")
    recommendation = Recommendation.objects.create(
        school=plan.school, text="Проведите собрание", created_by=reviewer
    )
    users = {
        "anonymous": None,
        "deputy": deputy,
        "other_deputy": other_deputy,
        "coordinator": coordinator,
        "far_coordinator": far_coordinator,
        "reviewer": reviewer,
        "superuser": superuser,
    }
    return {
        "users": users,
        "document": plan_document(plan=plan, fmt="pdf", by=deputy),
        "plan": plan,
        "row": plan.rows.filter(fixed_item=None).first(),
        "parent": TemplateItem.objects.get(year=plan.year, code="3.2."),
        "activity": ActivityTemplate.objects.filter(year=plan.year).first(),
        "comment": comment,
        "report": Report.objects.get(school=plan.school),
        "recommendation": recommendation,
    }


@pytest.fixture
def campaign(year, other_school):
    from monitoring.models import Indicator
    from tests.monitoring.region import load_catalogue

    load_catalogue()
    campaign = open_campaign(year)
    campaign.indicators.set(Indicator.objects.filter(year=year)[:2])
    return campaign


def executed(w):
    """The world's plan approved, its row marked done with a photo attached (once)."""
    if "evidence" not in w:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from plans.models import Plan, PlanStatus
        from plans.services import row_execution_record

        Plan.objects.filter(pk=w["plan"].pk).update(status=PlanStatus.APPROVED)
        w["plan"].refresh_from_db()
        from django.test import TestCase

        photo = SimpleUploadedFile("фото.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
        # The file is stored when the record commits: run the commit's callbacks.
        with TestCase.captureOnCommitCallbacks(execute=True):
            execution = row_execution_record(
                row=w["row"], by=w["users"]["deputy"], data={"status": "done"}, files=[photo]
            )
        w["evidence"] = execution.evidence.get()
    return w


def _school_feed_url(w):
    from plans.team.calendar_services import calendar_feed_create

    feed = calendar_feed_create(school=w["plan"].school)
    return reverse("plans:calendar-feed", args=[feed.token])


def team_member(w):
    """A member of the deputy's school's team, made once per world."""
    if "team_member" not in w:
        w["team_member"] = UserFactory(
            username="navigator", school=w["plan"].school, school_role="member"
        )
    return w["team_member"]


S, R, F, N, X = 200, 302, 403, 404, "skip"
# A download nobody asked for yet: the page with «Сформировать» (a GET never queues;
# plans/documents/views.py), or 302 to the progress page of one already asked for.
D = "document"
# GET answers per role, in the order of ROLES:
# anonymous, deputy, other_deputy, coordinator, far_coordinator, reviewer, superuser
SITE = {
    "plans:home": (lambda w: reverse("plans:home"), [R, S, S, S, S, S, S]),
    "plans:edit": (lambda w: reverse("plans:edit", args=[w["plan"].pk]), [R, S, N, S, N, S, S]),
    "plans:check": (lambda w: reverse("plans:check", args=[w["plan"].pk]), [R, S, N, S, N, S, S]),
    "plans:export-pdf": (
        lambda w: reverse("plans:export-pdf", args=[w["plan"].pk]),
        [R, D, N, D, N, D, D],
    ),
    "plans:export-docx": (
        lambda w: reverse("plans:export-docx", args=[w["plan"].pk]),
        [R, D, N, D, N, D, D],
    ),
    "plans:export-xlsx": (
        lambda w: reverse("plans:export-xlsx", args=[w["plan"].pk]),
        [R, D, N, D, N, D, D],
    ),
    "plans:document": (
        lambda w: reverse("plans:document", args=[w["document"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "plans:document-download": (
        lambda w: reverse("plans:document-download", args=[w["document"].pk]),
        [R, D, N, D, N, D, D],
    ),
    # «Сформировать заново» after a failed render: POST only (tests/test_recovery.py).
    "plans:document-retry": (
        lambda w: reverse("plans:document-retry", args=[w["document"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:row": (
        lambda w: reverse("plans:row", args=[w["plan"].pk, w["row"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "plans:row-edit": (
        lambda w: reverse("plans:row-edit", args=[w["plan"].pk, w["row"].pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:row-new": (
        lambda w: reverse("plans:row-new", args=[w["plan"].pk]) + f"?parent={w['parent'].pk}",
        [R, S, N, N, N, N, N],
    ),
    # The plan's workbook back from offline: only the school that edits the plan.
    "plans:import-xlsx": (
        lambda w: reverse("plans:import-xlsx", args=[w["plan"].pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:import-xlsx-preview": (
        lambda w: reverse("plans:import-xlsx-preview", args=[w["plan"].pk, "not-a-token"]),
        [R, N, N, N, N, N, N],
    ),
    "plans:execution": (
        lambda w: reverse("plans:execution", args=[executed(w)["plan"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "plans:execution-region": (
        lambda w: reverse("plans:execution-region"),
        [R, F, F, S, S, S, S],
    ),
    # «Мои мероприятия»: a school's people only; the others have no rows of their own.
    "plans:my": (lambda w: reverse("plans:my"), [R, S, S, N, N, N, N]),
    "plans:execution-row": (
        lambda w: reverse("plans:execution-row", args=[executed(w)["plan"].pk, w["row"].pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:evidence": (
        lambda w: reverse("plans:evidence", args=[executed(w)["plan"].pk, w["evidence"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "plans:evidence-delete": (
        lambda w: reverse("plans:evidence-delete", args=[executed(w)["plan"].pk, w["evidence"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    # Assigned rows (issue 22): the deputy's pages, whatever the plan's status.
    "plans:row-assignees": (
        lambda w: reverse("plans:row-assignees", args=[w["plan"].pk, w["row"].pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:assign": (
        lambda w: reverse("plans:assign", args=[w["plan"].pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:export-region": (lambda w: reverse("plans:export-region"), [R, F, F, D, D, D, D]),
    # The Word import: the school's own page; the centre imports in the admin.
    "plans:import-docx": (lambda w: reverse("plans:import-docx"), [R, S, S, F, F, F, F]),
    # A preview lives in its uploader's session only: a token nobody holds is found by nobody.
    "plans:import-preview": (
        lambda w: reverse("plans:import-preview", args=["not-a-token"]),
        [R, N, N, N, N, N, N],
    ),
    "plans:archive": (lambda w: reverse("plans:archive"), [R, 405, 405, 405, 405, 405, 405]),
    "plans:submission-pdf": (
        lambda w: reverse("plans:submission-pdf", args=[w["plan"].pk, 1]),
        [R, N, N, N, N, N, N],
    ),
    "plans:approved-pdf": (
        lambda w: reverse("plans:approved-pdf", args=[w["plan"].pk, 1]),
        [R, N, N, N, N, N, N],
    ),
    # POST-only endpoints answer GET with 405 once signed in; their scoping is tested by POST below.
    "plans:start": (lambda w: reverse("plans:start"), [R, 405, 405, 405, 405, 405, 405]),
    "plans:levels": (
        lambda w: reverse("plans:levels", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:submit": (
        lambda w: reverse("plans:submit", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:row-add": (
        lambda w: reverse("plans:row-add", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:row-delete": (
        lambda w: reverse("plans:row-delete", args=[w["plan"].pk, w["row"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:row-move": (
        lambda w: reverse("plans:row-move", args=[w["plan"].pk, w["row"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:row-restore": (
        lambda w: reverse("plans:row-restore", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:comment-reply": (
        lambda w: reverse("plans:comment-reply", args=[w["plan"].pk, w["comment"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:comment-resolve": (
        lambda w: reverse("plans:comment-resolve", args=[w["plan"].pk, w["comment"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    # The regional template: the centre's only.
    "plans:templates": (lambda w: reverse("plans:templates"), [R, F, F, F, F, S, S]),
    "plans:template-export-docx": (
        lambda w: reverse("plans:template-export-docx", args=[w["plan"].year_id]),
        [R, F, F, F, F, D, D],
    ),
    "plans:template-export-pdf": (
        lambda w: reverse("plans:template-export-pdf", args=[w["plan"].year_id]),
        [R, F, F, F, F, D, D],
    ),
    "plans:template": (
        lambda w: reverse("plans:template", args=[w["plan"].year_id]),
        [R, F, F, F, F, S, S],
    ),
    "plans:template-new-year": (
        lambda w: reverse("plans:template-new-year"),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-item": (
        lambda w: reverse("plans:template-item", args=[w["plan"].year_id, w["parent"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-levels": (
        lambda w: reverse("plans:template-levels", args=[w["plan"].year_id]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-block": (
        lambda w: reverse("plans:template-block", args=[w["plan"].year_id, 1]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-block-new": (
        lambda w: reverse("plans:template-block-new", args=[w["plan"].year_id]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-publish": (
        lambda w: reverse("plans:template-publish", args=[w["plan"].year_id]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    # The catalogue of typical activities: the centre's, like the template.
    "plans:catalogue": (
        lambda w: reverse("plans:catalogue", args=[w["plan"].year_id]),
        [R, F, F, F, F, S, S],
    ),
    "plans:catalogue-new": (
        lambda w: reverse("plans:catalogue-new", args=[w["plan"].year_id]),
        [R, F, F, F, F, S, S],
    ),
    "plans:catalogue-activity": (
        lambda w: reverse("plans:catalogue-activity", args=[w["plan"].year_id, w["activity"].pk]),
        [R, F, F, F, F, S, S],
    ),
    "plans:catalogue-activity-action": (
        lambda w: reverse(
            "plans:catalogue-activity-action", args=[w["plan"].year_id, w["activity"].pk]
        ),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-seen": (
        lambda w: reverse("plans:template-seen", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:template-accept": (
        lambda w: reverse("plans:template-accept", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "plans:note": (
        lambda w: reverse("plans:note", args=[w["plan"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "monitoring:home": (lambda w: reverse("monitoring:home"), [R, S, S, R, R, R, R]),
    "monitoring:report": (
        lambda w: reverse("monitoring:report", args=[w["report"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "monitoring:survey": (
        lambda w: reverse("monitoring:survey", args=[w["report"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "monitoring:recommendations": (
        lambda w: reverse("monitoring:recommendations"),
        [R, S, S, S, S, S, S],
    ),
    "monitoring:recommendation-send": (
        lambda w: reverse("monitoring:recommendation-send"),
        [R, F, F, F, F, S, S],
    ),
    "monitoring:recommendation-acknowledge": (
        lambda w: reverse("monitoring:recommendation-acknowledge", args=[w["recommendation"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "monitoring:recommendation-answer": (
        lambda w: reverse("monitoring:recommendation-answer", args=[w["recommendation"].pk]),
        [R, 405, 405, 405, 405, 405, 405],
    ),
    "monitoring:plan-indicators": (
        lambda w: reverse("monitoring:plan-indicators", args=[w["plan"].pk]),
        [R, S, N, S, N, S, S],
    ),
    "monitoring:self-analysis": (
        lambda w: reverse("monitoring:self-analysis", args=[w["plan"].pk]),
        [R, S, N, S, N, S, S],
    ),
    # Issue 22, the calendar: the feed opens without signing in (its token is the key);
    # the page is for a school's people, each sees their own links.
    "plans:calendar-feed": (lambda w: _school_feed_url(w), [S, S, S, S, S, S, S]),
    "plans:my-calendar": (lambda w: reverse("plans:my-calendar"), [R, S, S, N, N, N, N]),
    "monitoring:dashboard": (lambda w: reverse("monitoring:dashboard"), [R, F, F, S, S, S, S]),
    "monitoring:dashboard-xlsx": (
        lambda w: reverse("monitoring:dashboard-xlsx"),
        [R, F, F, S, S, S, S],
    ),
    # The school's team (plans/team/): each deputy their own (another school's deputy
    # sees their own team at /team/, never our member); anyone else: not found.
    "plans:team": (lambda w: reverse("plans:team"), [R, S, S, N, N, N, N]),
    "plans:team-add": (lambda w: reverse("plans:team-add"), [R, S, S, N, N, N, N]),
    "plans:team-history": (lambda w: reverse("plans:team-history"), [R, S, S, N, N, N, N]),
    "plans:team-member": (
        lambda w: reverse("plans:team-member", args=[team_member(w).pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:team-sheet": (
        lambda w: reverse("plans:team-sheet", args=[team_member(w).pk]),
        [R, S, N, N, N, N, N],
    ),
    "plans:team-remove": (
        lambda w: reverse("plans:team-remove", args=[team_member(w).pk]),
        [R, S, N, N, N, N, N],
    ),
}

# POST-only endpoints: another school, coordinators and the centre get 404 (the
# plan is not theirs to change); nothing is changed.
POSTS = [
    "plans:team-member",
    "plans:team-sheet",
    "plans:team-remove",
    "plans:levels",
    "plans:submit",
    "plans:row-add",
    "plans:row-delete",
    "plans:row-move",
    "plans:row-restore",
    "plans:comment-reply",
    "plans:comment-resolve",
    "plans:execution-row",
    "plans:evidence-delete",
    "plans:template-seen",
    "plans:template-accept",
    "plans:note",
    "plans:row-assignees",
    "plans:assign",
]


# The centre's template pages refuse schools and coordinators (403); nothing changes.
TEMPLATE_POSTS = [
    "plans:template-new-year",
    "plans:template-item",
    "plans:template-levels",
    "plans:template-block",
    "plans:template-block-new",
    "plans:template-publish",
    "plans:catalogue-new",
    "plans:catalogue-activity",
    "plans:catalogue-activity-action",
]


@pytest.mark.parametrize("name", TEMPLATE_POSTS)
@pytest.mark.parametrize("role", ["deputy", "coordinator"])
def test_template_posts_are_refused_to_schools_and_coordinators(client, world, name, role):
    from plans.models import SchoolYear

    url = SITE[name][0](world)
    titles = world["parent"].title, SchoolYear.objects.count()
    sign_in(client, world["users"][role])
    response = client.post(url, {"action": "rename", "title": "чужое", "text": "чужое"})
    assert response.status_code == 403
    world["parent"].refresh_from_db()
    assert (world["parent"].title, SchoolYear.objects.count()) == titles
    assert not ActivityTemplate.objects.filter(title="чужое").exists()
    assert ActivityTemplate.objects.filter(pk=world["activity"].pk).exists()  # not deleted


def sign_in(client, user):
    if user is not None:
        log_in(client, user)
    return client


@pytest.mark.parametrize("name", sorted(SITE))
def test_site_urls_for_every_role(client, world, name):
    url_for, expected = SITE[name]
    url = url_for(world)
    seen = []
    documents_before = Document.objects.count()
    for role in ROLES:
        client.logout()
        sign_in(client, world["users"][role])
        response = client.get(url)
        queued = response.status_code == 302 and response["Location"].startswith("/documents/")
        seen.append(D if queued or is_make_document_page(response) else response.status_code)
    assert dict(zip(ROLES, seen, strict=True)) == dict(zip(ROLES, expected, strict=True)), url
    assert Document.objects.count() == documents_before, f"a GET of {url} queued a document"


@pytest.mark.parametrize("name", POSTS)
@pytest.mark.parametrize("role", ["other_deputy", "coordinator", "far_coordinator", "reviewer"])
def test_state_changing_posts_are_404_for_everyone_but_the_school(client, world, name, role):
    url = SITE[name][0](world)
    rows_before = world["plan"].rows.count()
    sign_in(client, world["users"][role])
    assert (
        client.post(
            url, {"activity": "чужая строка", "parent": world["parent"].pk, "text": "чужой ответ"}
        ).status_code
        == 404
    )
    assert world["plan"].rows.count() == rows_before


def test_anonymous_posts_go_to_sign_in(client, world):
    for name in POSTS:
        response = client.post(SITE[name][0](world))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_site_url_is_in_the_table():
    resolver = get_resolver()
    names = set()
    for namespace in ("plans", "monitoring"):
        _, sub = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    assert names == set(SITE)


def admin_urls(world):
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    urls += [
        reverse("admin:plans_plan_change", args=[world["plan"].pk]),
        reverse("admin:plans_plan_review", args=[world["plan"].pk]),
        reverse("admin:accounts_user_import"),
        reverse("admin:plans_plan_import"),
    ]
    return urls


@pytest.mark.parametrize("role", ["anonymous", "deputy", "coordinator"])
def test_schools_and_coordinators_never_reach_the_admin(client, world, role):
    sign_in(client, world["users"][role])
    for url in admin_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_regional_centre_in_the_admin(client, world):
    sign_in(client, world["users"]["reviewer"])
    allowed = {
        "plans": {
            "schoolyear",
            "level",
            "direction",
            "templateitem",
            "activitytemplate",
            "municipality",
            "school",
            "plan",
            "plansubmission",
            "planevent",
            "plancomment",
            "rowexecution",  # read-only: schools mark on the site
        },
        "accounts": {"user"},
        "audit": {"auditevent"},  # read-only, the region's events (audit/admin.py)
        "monitoring": {
            "indicator",
            "sector",
            "campaign",
            "recommendation",
            "report",
            "reportvalue",
            "surveycount",
            "surveysectorcount",
            "planindicator",
            "selfanalysis",
        },
    }
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        status = client.get(reverse(f"admin:{app}_{name}_changelist")).status_code
        expected = 200 if name in allowed.get(app, set()) else 403
        assert status == expected, f"{app}.{name}: {status}"
    assert (
        client.get(reverse("admin:plans_plan_review", args=[world["plan"].pk])).status_code == 200
    )
    assert client.get(reverse("admin:accounts_user_import")).status_code == 200
    assert client.get(reverse("admin:plans_plan_import")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_superuser_reaches_every_admin_page(client, world):
    sign_in(client, world["users"]["superuser"])
    for url in admin_urls(world):
        assert client.get(url).status_code == 200, url
