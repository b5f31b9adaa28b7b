"""The garbage-collection options: the start-up collection and the opt-in freeze.

The server runs in the test process here, so the test unfreezes afterwards.
"""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest


@pytest.fixture
def jp_server_config(jp_server_config):
    """The extension with short collect and freeze delays (the rest as in conftest)."""
    config = dict(jp_server_config)
    config["NbCompare"] = {
        **jp_server_config["NbCompare"],
        "gc_freeze_after": 0.05,
        "gc_collect_after": 0.02,
    }
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


@pytest.fixture
def full_collections():
    """The names of the threads that start full collections, watched from before
    the server starts (requested before ``jp_fetch``, so set up first)."""
    seen: list[str] = []

    def probe(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(threading.current_thread().name)

    gc.callbacks.append(probe)
    yield seen
    gc.callbacks.remove(probe)


async def test_one_full_collection_runs_at_start_up(full_collections, jp_fetch):
    # Given a server whose extension collects 20 ms after loading (the fixture)
    try:
        # When its requests are answered and the delay passes
        response = await jp_fetch("nbcompare", "version")
        assert response.code == 200
        for _ in range(200):
            if "nbcompare-collect_startup_garbage" in full_collections:
                break
            await asyncio.sleep(0.05)
        # Then the extension's timer ran one full collection
        assert full_collections.count("nbcompare-collect_startup_garbage") == 1
    finally:
        gc.unfreeze()


def test_the_start_up_collection_is_on_by_default():
    from jupyterlab_nbcompare.app import NbCompare

    assert NbCompare().gc_collect_after > 0
