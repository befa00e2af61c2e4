"""The tallies moved from feedback to dashboard without a table rebuilt (dashboard/0001, feedback/0009: state
only): they keep their feedback_* tables, and the migrations do nothing to the database."""
from importlib import import_module

import pytest
from django.db.migrations import SeparateDatabaseAndState

from dashboard.models import CaseTally, OpenTally, StaleTallyDay


def test_the_tables_keep_their_names():
    assert [m._meta.db_table for m in (CaseTally, OpenTally, StaleTallyDay)] == [
        "feedback_casetally", "feedback_opentally", "feedback_staletallyday"]


@pytest.mark.parametrize("module", ["dashboard.migrations.0001_initial", "feedback.migrations.0009_tallies_moved_to_dashboard"])
def test_the_move_touches_no_table(module):
    """Checked on PostgreSQL too: a database at feedback/0008 keeps its tally rows and the table's file."""
    operations = import_module(module).Migration.operations
    assert operations and all(isinstance(op, SeparateDatabaseAndState) and op.database_operations == []
                              for op in operations)
