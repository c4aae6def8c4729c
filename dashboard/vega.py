"""Altair charts turned into Vega-Lite spec dicts once per snapshot and set of inputs, then reused.

Building an Altair chart and converting it (`to_dict`, with jsonschema validation) costs more than the
rest of a page's rerun, and the maps carry every district outline. `chart_spec` converts a chart
exactly as `st.altair_chart` does (Streamlit's own converter: theme "none", data as Arrow datasets)
and caches the dict under the warehouse snapshot path and the parameters that determine the chart,
so `st.vega_lite_chart(spec, ...)` shows the same element (same spec, same element id) as
`st.altair_chart(chart, ...)` did. Chart builders stay pure functions returning Altair charts.

The cached dict is shared, not copied: Streamlit's `vega_lite_chart` copies the spec's top level
before changing it, and callers must not mutate it either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from contextlib import nullcontext

import altair as alt
import streamlit as st

try:  # Streamlit's lock around Altair's global theme and data transformer (private, so guarded)
    from streamlit.elements.vega_charts import _altair_globals_lock as ALTAIR_LOCK
except ImportError:  # pragma: no cover - a Streamlit without it
    ALTAIR_LOCK = threading.Lock()

from dashboard.data.db import snapshot_path

try:  # private Streamlit functions: guarded, so a Streamlit release that moves them costs speed, not the app
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as _streamlit_convert
    from streamlit.elements.vega_charts import _to_arrow_dataset
except ImportError:  # pragma: no cover - depends on the installed Streamlit
    _streamlit_convert = _to_arrow_dataset = None
_LOG = logging.getLogger(__name__)


def altair_spec(chart: alt.TopLevelMixin) -> dict:
    """The spec `st.altair_chart(chart)` would send (uncached).

    Without Streamlit's converter (or if its signature changed) the chart's own `to_dict()` is used:
    data inlined instead of Arrow datasets, which `st.vega_lite_chart` shows just the same."""
    if _streamlit_convert is not None:
        try:
            return _streamlit_convert(chart)
        except TypeError as exc:
            _LOG.warning("Streamlit's Altair converter changed (%s); using Altair's to_dict()", exc)
    return plain_spec(chart)


def unvalidated_spec(chart: alt.TopLevelMixin) -> dict:
    """The spec `st.altair_chart(chart)` would send, converted the same way (Streamlit's Arrow datasets
    and theme "none", under its lock) but without Altair's JSON-schema validation of the whole spec,
    which was a fifth of a hub profile's server time on every visit. Validation checks the chart
    builders, not the data: the unit tests convert every chart with it on, and a test compares the two
    specs. Falls back to Streamlit's own converter if its private helpers move."""
    if _to_arrow_dataset is None:
        return altair_spec(chart)
    datasets: dict = {}
    alt.data_transformers.register("to_arrow_dataset", _to_arrow_dataset)
    with ALTAIR_LOCK:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    return spec


def altair_chart(chart: alt.TopLevelMixin, **kwargs) -> object:
    """`st.altair_chart(chart, **kwargs)`, the same element, converted without schema validation."""
    return st.vega_lite_chart(unvalidated_spec(chart), **kwargs)


def plain_spec(chart: alt.TopLevelMixin) -> dict:
    """`chart.to_dict()`, safe while other sessions draw charts.

    Streamlit switches Altair's *global* data transformer while it converts a chart for
    `st.altair_chart`; a bare `to_dict()` in another session's thread at that moment runs Streamlit's
    transformer on its data and fails (seen under load: "Unable to convert _FeatureCollection to
    pandas.DataFrame", an exception box for 1 visit in 80 at 20 users). Holding Streamlit's own lock
    orders the two."""
    with ALTAIR_LOCK:
        return chart.to_dict()


@st.cache_resource(ttl="1h", max_entries=256, show_spinner=False)
def _cached_spec(name: str, snapshot: str, params: tuple, _build: Callable[[], alt.TopLevelMixin]) -> dict:
    return altair_spec(_build())


def chart_spec(name: str, params: tuple[Hashable, ...], build: Callable[[], alt.TopLevelMixin]) -> dict:
    """`build()`'s chart as a spec dict, built once per (name, snapshot, params).

    `params` must determine the chart completely (with the snapshot): year, filters, colour-by and
    whether the viewer sees exact numbers."""
    return _cached_spec(name, str(snapshot_path()), params, build)
