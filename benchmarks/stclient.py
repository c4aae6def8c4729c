"""A minimal Streamlit client that speaks the browser's own websocket protocol (Streamlit 1.67).

What the frontend does, and so what this does:

1. open `ws://host/_stcore/stream` with the `Sec-WebSocket-Protocol` header `streamlit` (Streamlit
   uses further entries of that header for an XSRF token and, on a reconnect, the previous session
   id; an anonymous visitor sends neither, and a reconnect to a replica that does not know the id
   gets a new session, as a browser does);
2. send a `BackMsg` whose `rerun_script` (a `ClientState`) carries the page's url path as
   `page_name`, the query string, the `page_script_hash` once the server has told it (in the
   `new_session` message), and the hashes of the large elements it already holds
   (`cached_message_hashes`: the server then sends a `ref_hash` instead of the element again);
3. read `ForwardMsg`s until `script_finished`. A Streamlit exception box (`delta.new_element.exception`),
   `page_not_found`, or a finish other than success counts as an error.

The client is synchronous (websocket-client); under Locust, gevent makes it cooperative.
Streamlit's own protobuf classes (`streamlit.proto`) encode and decode every message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class RerunError(RuntimeError):
    """The server answered, but the run failed (an exception box, page not found, a bad finish)."""


@dataclass
class RunResult:
    seconds: float
    messages: int
    bytes: int
    elements: int
    refs: int  # elements answered by reference to one the client already holds
    headings: list[str] = field(default_factory=list)  # text of the titles and headers drawn


@dataclass
class StreamlitSession:
    """One browser tab: a websocket session on one server. `run` is one script run, timed."""

    base_url: str  # http://127.0.0.1:8501
    timeout: float = 60.0
    ws: websocket.WebSocket | None = None
    session_id: str = ""
    page_hashes: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    page_hash: str = ""
    cached: set[str] = field(default_factory=set)
    cookie: str = ""  # a load balancer's sticky cookie, sent on the websocket handshake

    def connect(self) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = [f"Cookie: {self.cookie}"] if self.cookie else []
        # Headers: "streamlit", then the XSRF token (none: anonymous), then the previous session id.
        protocols = ["streamlit", "", self.session_id] if self.session_id else ["streamlit"]
        self.ws = websocket.create_connection(
            f"{scheme}://{parts.netloc}/_stcore/stream",
            subprotocols=protocols,
            header=headers,
            timeout=self.timeout,
            enable_multithread=False,
        )
        set_cookie = (self.ws.getheaders() or {}).get("set-cookie", "")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a dead socket is not an error
                pass
            self.ws = None

    def run(self, page: str, query: str = "") -> RunResult:
        """Rerun the script for `page` (its url path, "" for the default page) with `query`."""
        if self.ws is None:
            self.connect()
        assert self.ws is not None
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        known = self.page_hashes.get(page, "")
        if known:
            state.page_script_hash = known
        state.cached_message_hashes.extend(self.cached)
        t0 = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        n = size = elements = refs = 0
        problems: list[str] = []
        headings: list[str] = []
        while True:
            data = self.ws.recv()
            if not data:
                raise ConnectionError("websocket closed by the server")
            n += 1
            size += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                if fwd.delta.WhichOneof("type") == "new_element":
                    elements += 1
                    if fwd.delta.new_element.WhichOneof("type") == "heading":
                        headings.append(fwd.delta.new_element.heading.body)
                    if fwd.delta.new_element.WhichOneof("type") == "exception":
                        ex = fwd.delta.new_element.exception
                        problems.append(f"exception box: {ex.type}: {ex.message[:120]}")
                if fwd.metadata.cacheable and fwd.hash:
                    self.cached.add(fwd.hash)
            elif kind == "ref_hash":
                elements += 1
                refs += 1
            elif kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "page_not_found":
                problems.append(f"page not found: {page!r}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # a rerun we did not ask for replaced this one: wait for its end
                seconds = time.perf_counter() - t0
                if status not in FINISHED_OK:
                    problems.append(f"script finished with status {status}")
                if problems:
                    raise RerunError("; ".join(problems))
                return RunResult(seconds, n, size, elements, refs, headings)
