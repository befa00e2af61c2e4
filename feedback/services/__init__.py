"""Every write to a case, one module per subject (as zulip's actions): the case itself and its status
(cases.py), a new report (intake.py), what staff do (case_actions.py), what the citizen does after reporting
(citizen.py), corrections that route again (rerouting.py), the urgency (urgency.py), the deadline sweeps
(sweeps.py); one locking helper (locking.py) and the errors (errors.py). The core names are importable from
the package itself."""
from .cases import assign_case, log_event, photo_make_thumbnail, store_photos, transition_case
from .errors import ConflictError, TransitionError
from .intake import Contact, Location, submit_report

__all__ = ["ConflictError", "Contact", "Location", "TransitionError", "assign_case", "log_event",
           "photo_make_thumbnail", "store_photos", "submit_report", "transition_case"]
