"""The sandbox tests' shared pool: each module keeps its own uid range, so modules never see each other's processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codesteer.sandbox import LocalSandbox


@pytest.fixture(scope="module")
def sb(request: pytest.FixtureRequest) -> Iterator[LocalSandbox]:
    """A started four-worker local sandbox in the test module's ``UID_BASE`` range, for the whole module."""
    box = LocalSandbox(pool_size=4, uid_base=request.module.UID_BASE)
    box.start()
    yield box
    box.close()
