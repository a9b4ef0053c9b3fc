"""Static files in production: whitenoise's compressed, hashed-name storage, with each file's
URL worked out once per process.

Every page links its stylesheets, scripts and icon through ``{% static %}``; the manifest
storage looks each name up again (splitting, unquoting and joining the URL) on every call.
The manifest is read when the storage is created and does not change while a process
runs, so neither does the URL of a name.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        try:
            return self.urls[name]
        except KeyError:
            url = self.urls[name] = super().url(name)
            return url
