"""Table 1 of the regional template, as data, by subject (one app, one migration history):

- geography.py: Region, Municipality, School;
- template.py: the regional template of a school year (SchoolYear, Level, Direction,
  TemplateItem — the tree of Table 1 —, TemplateBlock, TemplateRevision) and its
  catalogue (ActivityTemplate);
- plan.py: a school's Plan, its PlanGrade levels and PlanRow rows, submissions, events,
  remarks;
- documents.py: documents rendered off the request path;
- execution.py: the marks of an approved plan's rows and their evidence;
- team.py: who of the school's team carries out a row, and the calendar links.

Everything is re-exported here: `from plans.models import Plan` keeps working, and the
migrations' references (`plans.models.validate_links`, upload paths) too.
"""

from plans.fields import split_links, validate_links

from .documents import (
    Document,
    DocumentKind,
    DocumentStatus,
    document_upload_to,
)
from .execution import (
    Evidence,
    ExecutionStatus,
    RowExecution,
    evidence_upload_to,
)
from .geography import (
    Municipality,
    Region,
    School,
)
from .plan import (
    Plan,
    PlanComment,
    PlanEvent,
    PlanGrade,
    PlanRow,
    PlanStatus,
    PlanSubmission,
    approved_upload_to,
    hours_grades_dates_constraints,
    submission_upload_to,
)
from .team import (
    CalendarFeed,
    RowAssignment,
    new_feed_token,
)
from .template import (
    ActivityTemplate,
    BlockKind,
    Direction,
    ItemKind,
    Level,
    SchoolYear,
    TemplateBlock,
    TemplateItem,
    TemplateRevision,
    TemplateStatus,
)

__all__ = [
    "ActivityTemplate",
    "BlockKind",
    "CalendarFeed",
    "Direction",
    "Document",
    "DocumentKind",
    "DocumentStatus",
    "Evidence",
    "ExecutionStatus",
    "ItemKind",
    "Level",
    "Municipality",
    "Plan",
    "PlanComment",
    "PlanEvent",
    "PlanGrade",
    "PlanRow",
    "PlanStatus",
    "PlanSubmission",
    "Region",
    "RowAssignment",
    "RowExecution",
    "School",
    "SchoolYear",
    "TemplateBlock",
    "TemplateItem",
    "TemplateRevision",
    "TemplateStatus",
    "approved_upload_to",
    "document_upload_to",
    "evidence_upload_to",
    "hours_grades_dates_constraints",
    "new_feed_token",
    "split_links",
    "submission_upload_to",
    "validate_links",
]
