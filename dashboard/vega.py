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

import json
import logging
import threading
from collections import OrderedDict
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


# --- A selectable chart sent as a prepared proto --------------------------------------------------
#
# `st.vega_lite_chart(spec, on_select="rerun")` turns the spec into JSON and back on every run:
# `json.dumps`, then `_stabilize_vega_json_spec` (which parses it, dumps it without its data, parses
# that and dumps the whole again), then `json.loads` once more to find the selections. For the
# national map (~555 kB of district outlines) that was about half of a fresh visit's server CPU
# (py-spy on the running server, benchmarks/README). The result depends only on the spec, so it is
# computed once per snapshot and chart (`prepared_chart`) with Streamlit's own functions, in
# Streamlit's order, and each run copies the finished proto and registers the widget exactly as
# `_vega_lite_chart` does (`vega_lite_chart` below). A test compares the element with the one
# `st.vega_lite_chart` sends. If Streamlit's private helpers move, the chart goes through
# `st.vega_lite_chart` again: slower, the same element.

try:  # private Streamlit functions: guarded, so a Streamlit release that moves them costs speed, not the app
    from streamlit import _main as _MAIN_DG  # what `st.vega_lite_chart` is bound to
    from streamlit.elements.lib.form_utils import current_form_id
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.lib.policies import check_widget_policies
    from streamlit.elements.lib.utils import compute_and_register_element_id
    from streamlit.elements.vega_charts import (
        VegaLiteStateSerde,
        _has_nested_composition,
        _is_geojson_or_topojson_payload,
        _marshall_chart_data,
        _parse_selection_mode,
        _prepare_vega_lite_spec,
        _stabilize_vega_json_spec,
    )
    from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart as VegaLiteChartProto
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.runtime.state import register_widget

    _PREPARED = True
except ImportError:  # pragma: no cover - depends on the installed Streamlit
    _PREPARED = False


class PreparedChart:
    """A chart's spec and, when Streamlit's helpers are available, the proto `st.vega_lite_chart`
    would build from it (spec text stabilized, datasets as Arrow, selection modes checked), without
    its per-run fields (element id, form id). Shared between sessions: never mutated after creation.
    The spec dict is kept only for the fallback (`st.vega_lite_chart`): the proto holds it as text."""

    __slots__ = ("proto", "selection_mode", "spec", "width")

    def __init__(self, spec: dict, selection_mode: tuple[str, ...] | None) -> None:
        self.spec: dict | None = spec
        self.selection_mode, self.proto, self.width = selection_mode, None, "stretch"
        if not _PREPARED:
            return
        # As `_vega_lite_chart` with width=None, use_container_width=None, theme "streamlit", no alt.
        facet = "facet" in spec or any(x in spec.get("encoding", {}) for x in ("row", "column", "facet"))
        content = facet or "hconcat" in spec or "repeat" in spec or _has_nested_composition(spec)
        self.width = "content" if content else "stretch"
        proto = VegaLiteChartProto()
        prepared = _prepare_vega_lite_spec(spec, self.width == "stretch")
        _marshall_chart_data(proto, prepared)
        proto.spec, head = stable_spec_text(prepared)
        proto.theme = "streamlit"
        self.selection_mode = tuple(_parse_selection_mode(head, selection_mode))
        proto.selection_mode.extend(self.selection_mode)
        self.proto, self.spec = proto, None


@st.cache_resource(ttl="1h", max_entries=64, show_spinner=False)
def _cached_prepared(
    name: str, snapshot: str, params: tuple, selection_mode: tuple[str, ...], _build: Callable
) -> PreparedChart:
    return PreparedChart(altair_spec(_build()), selection_mode)


def prepared_chart(
    name: str,
    params: tuple[Hashable, ...],
    build: Callable[[], alt.TopLevelMixin],
    selection_mode: tuple[str, ...],
) -> PreparedChart:
    """`build()`'s chart ready to send with selections on, built once per (name, snapshot, params):
    `params` must determine the chart completely (with the snapshot), as for `chart_spec`."""
    return _cached_prepared(name, str(snapshot_path()), params, tuple(selection_mode), build)


def vega_lite_chart(
    chart: PreparedChart, *, key: str, on_select: str | Callable[[], None] = "rerun"
) -> object:
    """`st.vega_lite_chart(chart.spec, key=key, on_select=on_select, selection_mode=...)`: the same
    element and the same selection state, without re-encoding the spec on every run. `on_select` is
    "rerun" or a callback, as for Streamlit."""
    callback = None if on_select == "rerun" else on_select
    if chart.proto is None or not _PREPARED:
        return st.vega_lite_chart(
            chart.spec, key=key, on_select=on_select, selection_mode=list(chart.selection_mode or ()) or None
        )
    dg = _MAIN_DG  # `_enqueue` and `current_form_id` follow it into the active container (`with col:`)
    check_widget_policies(
        dg,
        key,
        on_change=callback,
        default_value=None,
        writes_allowed=False,
        enable_check_callback_rules=callback is not None,
    )
    proto = VegaLiteChartProto()
    proto.CopyFrom(chart.proto)
    proto.form_id = current_form_id(dg)
    modes = list(chart.selection_mode)
    proto.id = compute_and_register_element_id(
        "vega_lite_chart",
        user_key=key,
        key_as_main_identity={"selection_mode"},
        dg=dg,
        vega_lite_spec=proto.spec,
        vega_lite_data=proto.data.data,
        named_datasets=[dataset.name for dataset in proto.datasets],
        theme="streamlit",
        use_container_width=None,
        selection_mode=modes,
        alt=None,
    )
    serde = VegaLiteStateSerde(modes)
    state = register_widget(
        proto.id,
        on_change_handler=callback,
        deserializer=serde.deserialize,
        serializer=serde.serialize,
        ctx=get_script_run_ctx(),
        value_type="string_value",
    )
    dg._enqueue(
        "vega_lite_chart",
        proto,
        layout_config=LayoutConfig(width=chart.width, height="content"),
        agent_props=dg._chart_agent_props(
            proto, command="vega_lite_chart", encoding=None, selection_mode=modes
        ),
    )
    return state.value


# --- The spec's text without re-encoding its outlines ---------------------------------------------
#
# `_stabilize_vega_json_spec` parses the whole spec text, dumps it without its datasets, renames
# Altair's counters in that, parses it again and dumps it whole with the datasets put back last. For
# a map the datasets are the district outlines (GeoJSON, most of the text), the same objects search
# after search (`_outline_spec` shares them). `stable_spec_text` gives the same text from the spec's
# head (stabilized by Streamlit's own function) and each GeoJSON dataset's text, encoded once per
# object: json.dumps of a dict is its items' texts joined, and text from json.dumps parses back to the
# same dumps. A test compares it with Streamlit's on the finder's and the national map's specs.

_GEO_TEXT: OrderedDict[int, tuple[object, str]] = OrderedDict()  # id -> (the object, held; its text)
_GEO_LOCK = threading.Lock()
_GEO_MAX = 32  # as many outline sets as the finder's `_outline_spec` cache holds


def _geo_text(value: object) -> str:
    key = id(value)
    with _GEO_LOCK:
        hit = _GEO_TEXT.get(key)
        if hit is not None and hit[0] is value:  # the object is held, so its id cannot be reused
            _GEO_TEXT.move_to_end(key)
            return hit[1]
    text = json.dumps(value)
    with _GEO_LOCK:
        _GEO_TEXT[key] = (value, text)
        while len(_GEO_TEXT) > _GEO_MAX:
            _GEO_TEXT.popitem(last=False)
    return text


def stable_spec_text(prepared: dict) -> tuple[str, dict]:
    """`_stabilize_vega_json_spec(json.dumps(prepared))` for a spec after `_marshall_chart_data` (only
    GeoJSON datasets left in it), and the spec's head (everything but the datasets) parsed back, which
    holds its selection parameters."""
    datasets = prepared.get("datasets")
    data = prepared.get("data")
    inline_geo = isinstance(data, dict) and _is_geojson_or_topojson_payload(data.get("values"))
    if not isinstance(datasets, dict) or not datasets or inline_geo:  # small, or not the shape above
        text = _stabilize_vega_json_spec(json.dumps(prepared))
        head = json.loads(text)
        head.pop("datasets", None)
        return text, head
    head_text = _stabilize_vega_json_spec(json.dumps({k: v for k, v in prepared.items() if k != "datasets"}))
    body = ", ".join(f"{json.dumps(str(name))}: {_geo_text(value)}" for name, value in datasets.items())
    joint = ", " if head_text != "{}" else ""
    return f'{head_text[:-1]}{joint}"datasets": {{{body}}}}}', json.loads(head_text)
