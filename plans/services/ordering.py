"""Positions in a list: `order` 1, 2, … saved for the objects whose place changed."""

from simple_history.utils import bulk_update_with_history


def save_order(objects: list) -> None:
    """Give `objects` (one model, in their new sequence) the orders 1, 2, …; only those
    whose place changed are written, with a history row each (a move is in the history).
    bulk_update sends no signal: the caller moves the year's reference revision."""
    changed = []
    for order, obj in enumerate(objects, start=1):
        if obj.order != order:
            obj.order = order
            changed.append(obj)
    if changed:
        bulk_update_with_history(changed, type(changed[0]), ["order"])
