"""The gate on concurrent public page runs (dashboard/run_gate.py): at most SLOTS at once, and a
fragment inside a run that holds a slot never waits for it."""

from __future__ import annotations

import threading

import pytest

from dashboard import run_gate


@pytest.fixture
def two_slots(monkeypatch):
    monkeypatch.setattr(run_gate, "_slots", threading.BoundedSemaphore(2))


def hold_a_slot(entered: threading.Event, release: threading.Event) -> threading.Thread:
    def body():
        with run_gate.slot():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def test_a_run_waits_while_every_slot_is_held_and_goes_when_one_frees(two_slots):
    release = threading.Event()
    holders = [hold_a_slot(threading.Event(), release) for _ in range(2)]
    third = threading.Event()
    waiting = hold_a_slot(third, threading.Event())
    assert not third.wait(0.5)  # both slots are taken: it has not started
    release.set()
    assert third.wait(10)
    for t in holders:
        t.join(10)
    waiting.join(0)


def test_a_fragment_inside_a_run_does_not_wait_for_its_own_slot(two_slots):
    release = threading.Event()
    other = hold_a_slot(threading.Event(), release)  # one slot held elsewhere, one by this thread
    seen = []

    @run_gate.gated
    def fragment():
        seen.append("fragment ran")
        return 7

    with run_gate.slot():
        with run_gate.slot():
            assert fragment() == 7
    assert seen == ["fragment ran"]
    release.set()
    other.join(10)
    # every slot is free again: two more runs enter at once
    assert run_gate._slots.acquire(timeout=1) and run_gate._slots.acquire(timeout=1)


def test_only_the_gated_pages_take_a_slot(two_slots):
    class Page:
        def __init__(self, url_path):
            self.url_path, self.held = url_path, None

        def run(self):
            self.held = getattr(run_gate._held, "depth", 0)

    public, private = Page("finder"), Page("load")
    run_gate.run(public, gated=[Page("finder")])
    run_gate.run(private, gated=[Page("finder")])
    assert (public.held, private.held) == (1, 0)
