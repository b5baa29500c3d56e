from django.urls import path

from plans import home
from plans.documents import views as document_views
from plans.editor import views
from plans.execution import views as execution_views
from plans.regional_template import catalogue_views
from plans.regional_template import views as template_views
from plans.team import assignment_views, calendar_views, my_views

from .imports import views as import_views
from .team import member_views as team_views

app_name = "plans"

urlpatterns = [
    path("", home.home, name="home"),
    path("plans/start/", home.plan_start, name="start"),
    # «Мои мероприятия»: a team member's rows, the deputy's school by person (plans/team/my*.py)
    path("my/", my_views.my, name="my"),
    path("plans/import/", import_views.docx_upload, name="import-docx"),
    path("plans/import/<str:token>/", import_views.docx_preview, name="import-preview"),
    path("plans/region.xlsx", document_views.region_export, name="export-region"),
    path("plans/archive/", document_views.region_archive, name="archive"),
    path("documents/<int:pk>/", document_views.document_detail, name="document"),
    path("documents/<int:pk>/retry/", document_views.document_retry, name="document-retry"),
    path(
        "documents/<int:pk>/download/", document_views.document_download, name="document-download"
    ),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/new-year/", template_views.template_new_year, name="template-new-year"),
    path("templates/<int:pk>/", template_views.template_detail, name="template"),
    path(
        "templates/<int:pk>/items/<int:item_pk>/",
        template_views.template_item,
        name="template-item",
    ),
    path("templates/<int:pk>/levels/", template_views.template_levels, name="template-levels"),
    path(
        "templates/<int:pk>/blocks/new/",
        template_views.template_block_new,
        name="template-block-new",
    ),
    path(
        "templates/<int:pk>/blocks/<int:block_pk>/",
        template_views.template_block,
        name="template-block",
    ),
    path("templates/<int:pk>/publish/", template_views.template_publish, name="template-publish"),
    path("templates/<int:pk>/catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("templates/<int:pk>/catalogue/new/", catalogue_views.activity_new, name="catalogue-new"),
    path(
        "templates/<int:pk>/catalogue/<int:activity_pk>/",
        catalogue_views.activity_edit,
        name="catalogue-activity",
    ),
    path(
        "templates/<int:pk>/catalogue/<int:activity_pk>/action/",
        catalogue_views.activity_action,
        name="catalogue-activity-action",
    ),
    path(
        "templates/<int:pk>/export.docx",
        template_views.template_export,
        {"fmt": "docx"},
        name="template-export-docx",
    ),
    path(
        "templates/<int:pk>/export.pdf",
        template_views.template_export,
        {"fmt": "pdf"},
        name="template-export-pdf",
    ),
    path("plans/<int:pk>/", views.plan_edit, name="edit"),
    path("plans/<int:pk>/check/", views.plan_check, name="check"),
    path("plans/<int:pk>/import-xlsx/", import_views.xlsx_upload, name="import-xlsx"),
    path(
        "plans/<int:pk>/import-xlsx/<str:token>/",
        import_views.xlsx_preview,
        name="import-xlsx-preview",
    ),
    path("plans/<int:pk>/template-seen/", views.plan_template_seen, name="template-seen"),
    path("plans/<int:pk>/template-accept/", views.plan_template_accept, name="template-accept"),
    path("plans/<int:pk>/note/", views.plan_note_edit, name="note"),
    path("plans/<int:pk>/levels/", views.plan_levels, name="levels"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="submit"),
    path(
        "plans/<int:pk>/submissions/<int:number>.pdf",
        document_views.submission_pdf,
        name="submission-pdf",
    ),
    path(
        "plans/<int:pk>/submissions/<int:number>-approved.pdf",
        document_views.submission_pdf,
        {"approved": True},
        name="approved-pdf",
    ),
    path(
        "plans/<int:pk>/comments/<int:comment_pk>/reply/", views.comment_reply, name="comment-reply"
    ),
    path(
        "plans/<int:pk>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment-resolve",
    ),
    path("plans/<int:pk>/rows/new/", views.row_new, name="row-new"),
    path("plans/<int:pk>/rows/add/", views.row_add, name="row-add"),
    path("plans/<int:pk>/rows/restore/", views.row_restore, name="row-restore"),
    path("plans/<int:pk>/rows/<int:row_pk>/", views.row_detail, name="row"),
    path("plans/<int:pk>/rows/<int:row_pk>/edit/", views.row_edit, name="row-edit"),
    path("plans/<int:pk>/rows/<int:row_pk>/delete/", views.row_delete, name="row-delete"),
    path("plans/<int:pk>/rows/<int:row_pk>/move/", views.row_move, name="row-move"),
    # Assigned rows (issue 22, item 2): one row's assignees, many rows at once.
    path(
        "plans/<int:pk>/rows/<int:row_pk>/assignees/",
        assignment_views.row_assignees,
        name="row-assignees",
    ),
    path("plans/<int:pk>/assign/", assignment_views.plan_assign, name="assign"),
    path("plans/execution/", execution_views.execution_region, name="execution-region"),
    path("plans/<int:pk>/execution/", execution_views.execution, name="execution"),
    path(
        "plans/<int:pk>/execution/rows/<int:row_pk>/",
        execution_views.execution_row,
        name="execution-row",
    ),
    path(
        "plans/<int:pk>/execution/files/<int:evidence_pk>/",
        execution_views.evidence_download,
        name="evidence",
    ),
    path(
        "plans/<int:pk>/execution/files/<int:evidence_pk>/delete/",
        execution_views.evidence_delete,
        name="evidence-delete",
    ),
    # Issue 22, the calendar: the private feeds (no sign-in) and «Календарь и напоминания».
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar-feed"),
    path("my/calendar/", calendar_views.my_calendar, name="my-calendar"),
    path(
        "plans/<int:pk>/export.pdf", document_views.plan_export, {"fmt": "pdf"}, name="export-pdf"
    ),
    path(
        "plans/<int:pk>/export.docx",
        document_views.plan_export,
        {"fmt": "docx"},
        name="export-docx",
    ),
    path(
        "plans/<int:pk>/export.xlsx",
        document_views.plan_export,
        {"fmt": "xlsx"},
        name="export-xlsx",
    ),
    # The school's team (plans/team/): the deputy's pages.
    path("team/", team_views.team, name="team"),
    path("team/add/", team_views.team_add, name="team-add"),
    path("team/history/", team_views.team_history, name="team-history"),
    path("team/<int:user_pk>/", team_views.team_member, name="team-member"),
    path("team/<int:user_pk>/sheet/", team_views.team_sheet, name="team-sheet"),
    path("team/<int:user_pk>/remove/", team_views.team_remove, name="team-remove"),
]
