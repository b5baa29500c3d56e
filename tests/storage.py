"""What the storage holds, for tests that check nothing was kept. The test settings
use Django's InMemoryStorage, which lives as long as the test process: `empty_storage`
clears it so a test sees only its own files."""

import pytest
from django.core.files.storage import default_storage


def stored_files(folder: str = "") -> list[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [f"{folder}/{name}".strip("/") for name in files]
    for sub in folders:
        found += stored_files(f"{folder}/{sub}".strip("/"))
    return found


@pytest.fixture
def empty_storage():
    for name in stored_files():
        default_storage.delete(name)
