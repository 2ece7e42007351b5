"""Where sealed records are kept: private files that no URL serves.

The storage is named "private" in STORAGES and chosen by PROCEED_STORAGE: `local` (a folder on
this server, `PrivateFileSystemStorage`) or `s3` (S3-compatible object storage,
`PrivateS3Storage`), which every server of a deployment reaches. The models' file fields take
`private_storage` (a callable) so tests and deployments can swap it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage


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


class PrivateS3Storage(S3Storage):
    """Sealed records in an S3-compatible bucket: encrypted at rest, never overwritten, never a URL.

    - No object is ever replaced: a name in use gets a new one (file_overwrite off).
    - Server-side encryption on every object (`server_side_encryption`: AES256, or aws:kms with a key).
    - With `retention_days`, each object is written under S3 Object Lock in COMPLIANCE mode until
      that many days from now: no one, an administrator included, can delete or overwrite that
      version before then. The bucket must have been created with Object Lock.
    - `url()` refuses: records leave only through views that check who is asking.
    """

    def __init__(
        self, *, retention_days: int = 0, server_side_encryption: str = "AES256", kms_key_id: str = "", **kwargs
    ):
        kwargs.setdefault("file_overwrite", False)
        kwargs.setdefault("default_acl", None)
        kwargs.setdefault("querystring_auth", True)
        super().__init__(**kwargs)
        self.retention_days = retention_days
        self.encryption = {}
        if server_side_encryption != "none":
            self.encryption["ServerSideEncryption"] = server_side_encryption
            if kms_key_id:
                self.encryption["SSEKMSKeyId"] = kms_key_id

    def get_object_parameters(self, name):
        parameters = {**super().get_object_parameters(name), **self.encryption}
        if self.retention_days:
            parameters["ObjectLockMode"] = "COMPLIANCE"
            parameters["ObjectLockRetainUntilDate"] = timezone.now() + datetime.timedelta(days=self.retention_days)
        return parameters

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no URL: serve them through a view that checks who is asking.")

    def check_reachable(self) -> None:
        """Raise unless the bucket answers (for /healthz; writing a test object would be kept under retention)."""
        self.connection.meta.client.head_bucket(Bucket=self.bucket_name)


class PrivateStorage(LazyObject):
    """The storage named "private" in STORAGES, looked up when first used (and again after a test
    changes STORAGES), so a file field bound to it at import follows the settings."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """The private storage, for the models' file fields (a callable, as their migrations name it)."""
    return _private
