"""Where sealed records are kept: private files that no URL serves.

The storage is named "private" in STORAGES, so a deployment can point it at object storage; the
models' file fields take `private_storage` (a callable) so tests and deployments can swap it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PROCEED_PRIVATE_ROOT, mode 0600 in folders of mode 0700, with no URL.

    Sealed consent records hold health data: no URL pattern serves this folder,
    and `url()` refuses, so the only way out is a view that checks who is asking
    and streams the file.
    """

    def __init__(self, location=None, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        kwargs["base_url"] = None
        super().__init__(location=location if location is not None else settings.PROCEED_PRIVATE_ROOT, **kwargs)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks who is asking.")


def private_storage() -> FileSystemStorage:
    """The storage named "private" in STORAGES (a callable, so tests and deployments can swap it)."""
    return storages["private"]
