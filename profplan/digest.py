"""A short digest of source files, for cache keys that must change with the code.

Rendered things that are stored (the editor's cached page, documents in storage)
carry the digest of the code and templates that drew them, so a new release never
serves what the old one drew."""

import hashlib
from pathlib import Path

from django.conf import settings

_SUFFIXES = {".py", ".html", ".css"}


def source_digest(*sources: str) -> str:
    """Digest of the given files and of every .py/.html/.css file under the given
    folders, paths relative to the project root."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=6)
    for source in sources:
        path = base / source
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file() and file.suffix in _SUFFIXES:
                digest.update(file.relative_to(base).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()
