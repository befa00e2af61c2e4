"""What a service raises besides ValidationError and PermissionDenied."""
from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """An illegal status change for the case's current state."""


class ConflictError(Exception):
    """Someone else changed the case first; reload and try again."""
