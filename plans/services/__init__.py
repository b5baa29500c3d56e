"""Writes that change state. Called alike from views, admin actions and commands.

Every function is keyword-only, named <entity>_<action>, and runs in one
transaction: a save interrupted midway leaves all of it or none. By concern:

- workflow.py: submit, return, approve, reopen; the stored профминимум check;
- rows.py: the editor's row edits and `plan_touch`, the version check they start with;
- years.py: a new plan (from the template or last year's), a new school year;
- note.py: the plan's пояснительная записка (prefilled from the template, edited);
- comments.py: remarks of the regional centre and the school's answers;
- errors.py: what they refuse with, in Russian.

The writes of the other subjects live with them and are re-exported here:
- plans/regional_template/services.py: the regional template written by the centre,
  publishing, next year; plans/regional_template/catalogue.py: the catalogue of
  typical activities, the names of levels and directions;
- plans/execution/services.py: marks on an approved plan's rows and their evidence
  (never the plan).

The names below are the package's public face: `from plans.services import plan_submit`.
"""

from plans.execution.services import (
    evidence_add,
    evidence_delete,
    plan_delivery_store,
    plans_delivery_store,
    row_execution_record,
)
from plans.regional_template.catalogue import (
    activity_add,
    activity_delete,
    activity_move,
    activity_update,
    direction_rename,
    level_rename,
)
from plans.regional_template.services import (
    level_hours_set,
    plan_template_accept,
    plan_template_keep,
    school_year_start_next,
    template_block_add,
    template_block_delete,
    template_block_edit,
    template_block_move,
    template_changes,
    template_item_add,
    template_item_delete,
    template_item_move,
    template_item_rename,
    template_publish,
    template_renumber,
)

from .comments import plan_comment_add, plan_comment_resolve
from .errors import PlanConflict, PlanNotEditable, RowRefused, SubmitRefused, TransitionRefused
from .note import note_from_template, plan_note_update
from .rows import (
    activity_prefill,
    add_slot_anchor,
    plan_row_add,
    plan_row_delete,
    plan_row_move,
    plan_row_place,
    plan_row_restore,
    plan_row_update,
    plan_set_levels,
    plan_touch,
)
from .workflow import (
    TRANSITIONS,
    plan_approve,
    plan_refresh_check,
    plan_reopen,
    plan_return,
    plan_snapshot,
    plan_submit,
    plans_refresh_check,
)
from .years import (
    fixed_rows,
    plan_copy,
    plan_create,
    plan_start,
    school_year_copy,
    school_year_next_title,
    shift_date,
    template_row_positions,
    year_title_substitute,
)

__all__ = [
    "TRANSITIONS",
    "PlanConflict",
    "PlanNotEditable",
    "RowRefused",
    "SubmitRefused",
    "TransitionRefused",
    "activity_add",
    "activity_delete",
    "activity_move",
    "activity_prefill",
    "activity_update",
    "direction_rename",
    "level_rename",
    "add_slot_anchor",
    "evidence_add",
    "evidence_delete",
    "fixed_rows",
    "note_from_template",
    "plan_approve",
    "plan_note_update",
    "plan_comment_add",
    "plan_comment_resolve",
    "plan_copy",
    "plan_create",
    "plan_refresh_check",
    "plans_refresh_check",
    "plan_reopen",
    "plan_return",
    "plan_row_add",
    "plan_row_delete",
    "plan_row_move",
    "plan_row_place",
    "plan_row_restore",
    "plan_row_update",
    "plan_set_levels",
    "plan_snapshot",
    "plan_start",
    "plan_touch",
    "row_execution_record",
    "plan_delivery_store",
    "plans_delivery_store",
    "plan_submit",
    "school_year_copy",
    "school_year_next_title",
    "shift_date",
    "template_row_positions",
    "level_hours_set",
    "plan_template_accept",
    "plan_template_keep",
    "school_year_start_next",
    "template_block_add",
    "template_block_delete",
    "template_block_edit",
    "template_block_move",
    "template_changes",
    "template_item_add",
    "template_item_delete",
    "template_item_move",
    "template_item_rename",
    "template_publish",
    "template_renumber",
    "year_title_substitute",
]
