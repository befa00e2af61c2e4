"""A case's clocks: the working calendar (calendar.py: office hours, holidays, the city's exceptions), the due
times and the one hand-off rule (deadlines.py: accept_due, resolve_due, reset_clocks_for_handoff, the working
hours to resolve) and the one definition of overdue (overdue.py)."""
