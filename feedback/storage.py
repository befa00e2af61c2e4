"""The private file storage (photo originals with their EXIF, pending uploads), resolved at each use."""
from __future__ import annotations

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

DELEGATED = (
    "open", "save", "delete", "exists", "listdir", "size", "path", "get_valid_name", "get_alternative_name",
    "get_available_name", "generate_filename", "get_accessed_time", "get_created_time", "get_modified_time",
)


@deconstructible(path="feedback.storage.AliasStorage")
class AliasStorage(Storage):
    """`storages[alias]` looked up on every call, not once when the models load, so a changed
    settings.STORAGES (e.g. tests' override) applies. Private files never get a URL, whatever the backend's
    base_url (FileSystemStorage falls back to MEDIA_URL when it is None)."""

    def __init__(self, alias: str = "private"):
        self.alias = alias

    @property
    def backend(self) -> Storage:
        return storages[self.alias]

    def url(self, name):
        raise ValueError("Private files are not accessible via a URL.")

    def __getattr__(self, name):  # anything else a backend offers (location, base_url…)
        if name == "alias" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.backend, name)

    def __eq__(self, other):
        return isinstance(other, AliasStorage) and other.alias == self.alias

    def __hash__(self):
        return hash((AliasStorage, self.alias))


def _delegate(name: str):
    def method(self, *args, **kwargs):
        return getattr(self.backend, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


for _name in DELEGATED:
    setattr(AliasStorage, _name, _delegate(_name))

private_storage = AliasStorage("private")
