"""The finder card's Book link: a Markdown link whose destination a hub's URL cannot break out of."""

from __future__ import annotations

import re

import pytest

from dashboard.finder_ui import link_target


@pytest.mark.parametrize(
    "url",
    [
        "https://hub.example/book?id=1",
        "https://hub.example/a b",
        'https://hub.example/x) [evil](javascript:alert(1) "t"',
        "https://hub.example/<script>",
        "https://hub.example/a\\)b",
    ],
)
def test_link_target_cannot_end_the_link_early(url):
    target = link_target(url)
    # A CommonMark destination ends at a space, ")" or "<": none is left, so the whole URL is the target.
    assert not re.search(r'[\s()<>"\\]', target)
    assert target.startswith("https://hub.example/")


def test_link_target_keeps_an_ordinary_url():
    assert link_target("https://www.ncetm.org.uk/maths-hubs/glow?x=1&y=2#book") == (
        "https://www.ncetm.org.uk/maths-hubs/glow?x=1&y=2#book"
    )
    assert link_target("https://hub.example/a b(c)") == "https://hub.example/a%20b%28c%29"
