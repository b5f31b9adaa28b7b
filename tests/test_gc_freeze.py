"""NbCompare.gc_freeze_after: the opt-in freeze of the server's start-up objects.

The server runs in the test process here, so the test unfreezes afterwards.
"""

from __future__ import annotations

import asyncio
import gc

import pytest


@pytest.fixture
def jp_server_config(jp_server_config):
    """The extension with a short freeze delay."""
    config = dict(jp_server_config)
    config["NbCompare"] = {"gc_freeze_after": 0.05}
    return config


async def test_start_up_objects_are_frozen_when_configured(jp_fetch):
    # Given a server whose extension was configured to freeze after 50 ms
    try:
        response = await jp_fetch("nbcompare", "version")
        assert response.code == 200
        # When the delay has passed (polled: the timer runs in its own thread)
        for _ in range(200):
            if gc.get_freeze_count() > 0:
                break
            await asyncio.sleep(0.05)
        # Then the objects alive at that moment were moved to the permanent generation
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_freeze_is_off_by_default():
    # Given the configuration class with no settings
    from jupyterlab_nbcompare.app import NbCompare

    # Then no delay is set: the host's garbage collector is left alone
    assert NbCompare().gc_freeze_after == 0
