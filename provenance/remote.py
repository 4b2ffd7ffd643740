"""A store on a SPARQL 1.1 Protocol server: Virtuoso, Oxigraph server, Fuseki, GraphDB...

:class:`RemoteStore` is a :class:`~provenance.store.Backend`: the tracker, the
projection, ingest and the exports work on it as on the embedded store, and pull
only what a question needs (one statement's provenance subgraph, never the store).

Semantics kept identical to the embedded store:

* **Union default graph.** Every document lives in a named graph, and the
  package's queries are written against the union of them. Oxigraph server gives
  that with the ``union-default-graph`` request parameter, which is sent with every
  query that asks for the union; Virtuoso and GraphDB already answer a query
  without a dataset over the union of their graphs (and ignore the parameter). A
  query that needs the named graphs themselves says ``GRAPH ?g``, which means the
  same everywhere.
* **One document, one request.** :meth:`RemoteStore.write_graphs` sends each
  document as one update request (``DROP SILENT GRAPH`` then ``INSERT DATA``), which
  the server applies as one transaction: a document lands whole or not at all.
* **No silent truncation.** A server that cuts a result short (Virtuoso's
  ``ResultSetMaxRows`` or its "anytime" partial answers) makes the call fail
  instead of returning a partial answer.

Credentials come only from ``PROVENANCE_ENDPOINT_USER`` and
``PROVENANCE_ENDPOINT_PASSWORD`` (HTTP Basic or Digest, whichever the server asks
for); an endpoint URL with a user or password in it is refused.

Example
-------
>>> store = RemoteStore("http://127.0.0.1:7878/query",          # doctest: +SKIP
...                     update_endpoint="http://127.0.0.1:7878/update")
>>> Tracker(store).origin("blinken-attends")["rests_on"]         # doctest: +SKIP
'us-official'
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InputError, StoreError
from .store import Backend, GraphWrite, Row, _prologue, _update_text

__all__ = [
    "RemoteStore",
    "RemoteResponse",
    "QueryTimeout",
    "USER_ENV",
    "PASSWORD_ENV",
    "SPARQL_RESULTS_JSON",
]

USER_ENV = "PROVENANCE_ENDPOINT_USER"
PASSWORD_ENV = "PROVENANCE_ENDPOINT_PASSWORD"
SPARQL_RESULTS_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
DEFAULT_TIMEOUT = 300.0


class QueryTimeout(StoreError):
    """A query ran longer than the time allowed to it and was stopped."""


@dataclass(frozen=True)
class RemoteResponse:
    """The body of a successful answer and its media type (without parameters)."""

    content_type: str
    body: bytes


def _check_url(url: str, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{option} {url!r} is not an http(s) URL; give the SPARQL endpoint, "
            "e.g. http://127.0.0.1:8890/sparql"
        )
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"{option}: put credentials in {USER_ENV} and {PASSWORD_ENV}, not in the URL"
        )
    return url


def _canonical(binding: dict[str, Any]) -> dict[str, Any]:
    """One binding of SPARQL Results JSON in the 1.1 form, booleans canonical.

    Virtuoso answers with the pre-1.1 ``typed-literal`` type and writes booleans
    as ``1``/``0``; the embedded store says ``true``/``false``.
    """
    if binding.get("type") == "typed-literal":
        binding = {**binding, "type": "literal"}
    if binding.get("datatype") == _XSD_BOOLEAN and binding.get("value") in ("0", "1"):
        binding = {**binding, "value": "true" if binding["value"] == "1" else "false"}
    return binding


def canonical_results(doc: dict[str, Any]) -> dict[str, Any]:
    """SPARQL 1.1 Results JSON with every binding made canonical (see :func:`_canonical`)."""
    if "boolean" in doc:
        return {"head": doc.get("head", {}), "boolean": bool(doc["boolean"])}
    rows = doc.get("results", {}).get("bindings", [])
    return {
        "head": {"vars": list(doc.get("head", {}).get("vars", []))},
        "results": {
            "bindings": [{k: _canonical(v) for k, v in row.items()} for row in rows]
        },
    }


class RemoteStore(Backend):
    """A SPARQL 1.1 Protocol endpoint used as the store.

    Parameters
    ----------
    endpoint:
        The query endpoint (``http://host:8890/sparql`` for Virtuoso,
        ``http://host:7878/query`` for Oxigraph server).
    update_endpoint:
        Where updates go, if not to *endpoint* (Oxigraph server: ``.../update``).
    timeout:
        Seconds to wait for any one answer.
    """

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ):
        self.endpoint = _check_url(endpoint, "--endpoint")
        self.update_endpoint = _check_url(update_endpoint or endpoint, "--update-endpoint")
        self.location = endpoint
        self.timeout = timeout
        env = os.environ if environ is None else environ
        self._opener = self._build_opener(env.get(USER_ENV), env.get(PASSWORD_ENV))

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def _build_opener(
        self, user: str | None, password: str | None
    ) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.endpoint, self.update_endpoint}:
                manager.add_password(None, url, user, password or "")
            handlers += [
                urllib.request.HTTPBasicAuthHandler(manager),
                urllib.request.HTTPDigestAuthHandler(manager),
            ]
        # Never follow a proxy from the environment to a loopback server, and never
        # send the credentials anywhere else: no redirects to other hosts either.
        handlers.append(urllib.request.ProxyHandler({}))
        return urllib.request.build_opener(*handlers)

    # ---------------------------------------------------------------- protocol

    def _post(
        self,
        url: str,
        fields: Sequence[tuple[str, str]],
        accept: str,
        timeout: float | None = None,
    ) -> RemoteResponse:
        data = urllib.parse.urlencode(list(fields)).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": accept,
                "User-Agent": "provenance-tracker",
            },
        )
        limit = self.timeout if timeout is None else timeout
        try:
            with self._opener.open(request, timeout=limit) as response:
                body = response.read()
                headers = response.headers
        except urllib.error.HTTPError as exc:
            detail = _first_line(exc.read())
            raise StoreError(
                f"the SPARQL endpoint {url} answered HTTP {exc.code} {exc.reason}"
                + (f": {detail}" if detail else "")
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise QueryTimeout(
                    f"the SPARQL endpoint {url} did not answer within {limit:g} s"
                ) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {text}") from None
        except TimeoutError:
            raise QueryTimeout(
                f"the SPARQL endpoint {url} did not answer within {limit:g} s"
            ) from None
        except OSError as exc:  # connection reset in the middle of an answer, ...
            raise StoreError(f"the SPARQL endpoint {url} failed: {exc.strerror or exc}") from None
        _check_complete(url, headers)
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return RemoteResponse(content_type, body)

    def query_raw(
        self,
        query: str,
        *,
        accept: str = SPARQL_RESULTS_JSON,
        union: bool = True,
        timeout: float | None = None,
    ) -> RemoteResponse:
        """Send *query* as it is (no prefixes added) and return the raw answer."""
        fields = [("query", query)]
        if union:
            fields.append(("union-default-graph", ""))
        if timeout is not None:
            # Virtuoso stops its own work after this many milliseconds.
            fields.append(("timeout", str(max(int(timeout * 1000), 1))))
        return self._post(self.endpoint, fields, accept, timeout)

    def results(
        self, query: str, *, union: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """SPARQL 1.1 Results JSON of a SELECT or ASK, made canonical."""
        response = self.query_raw(query, union=union, timeout=timeout)
        try:
            doc = json.loads(response.body)
        except ValueError:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} did not answer with SPARQL results "
                f"JSON (got {response.content_type or 'no content type'})"
            ) from None
        return canonical_results(doc)

    def graph_query(
        self, query: str, *, union: bool = True, timeout: float | None = None
    ) -> RemoteResponse:
        """The RDF answer of a CONSTRUCT or DESCRIBE (N-Triples or Turtle)."""
        return self.query_raw(query, accept=_RDF_ACCEPT, union=union, timeout=timeout)

    def update(self, text: str, *, timeout: float | None = None) -> None:
        """Send one update request (the server applies it as one transaction)."""
        fields = [("update", text)]
        if timeout is not None:
            fields.append(("timeout", str(max(int(timeout * 1000), 1))))
        self._post(self.update_endpoint, fields, "*/*", timeout)

    # ---------------------------------------------------------------- Backend

    def select(self, query: str, union: bool = True) -> list[Row]:
        doc = self.results(_prologue() + query, union=union)
        return [
            {name: value["value"] for name, value in row.items()}
            for row in doc["results"]["bindings"]
        ]

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        """Write each document as one update request: it lands whole or not at all.

        Unlike the embedded store, a batch of several documents is not one
        transaction: if the server fails half-way, the documents sent before stay.
        """
        for write in writes:
            try:
                self.update(_update_text([write]))
            except StoreError as exc:
                raise StoreError(
                    f"{exc} (document graph {write.graph} was not written)"
                ) from None

    def raw(self) -> RemoteQuads:
        """A read-only stand-in for :class:`pyoxigraph.Store` (quads and queries)."""
        return RemoteQuads(self)

    def quads(self) -> Iterator[Any]:
        return iter(self.raw())


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("<"):
            return line[:300]
    return text[:300].replace("\n", " ")


def _check_complete(url: str, headers: Any) -> None:
    """Refuse partial answers (Virtuoso's "anytime" results and row caps)."""
    state = headers.get("X-SQL-State")
    if state:
        message = headers.get("X-SQL-Message") or state
        if state == "S1TAT":
            raise QueryTimeout(f"the SPARQL endpoint {url} stopped the query: {message}")
        raise StoreError(f"the SPARQL endpoint {url} returned a partial answer: {message}")
    cap = headers.get("X-SPARQL-MaxRows")
    if cap:
        raise StoreError(
            f"the SPARQL endpoint {url} cut the answer at {cap} rows; raise the server's "
            "row limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)"
        )


class RemoteQuads:
    """The part of :class:`pyoxigraph.Store` that readers use, over SPARQL.

    Only the document graphs the package wrote (those with a content hash) are
    seen: a server's own graphs (Virtuoso's system graphs) are not the store's.
    """

    def __init__(self, store: RemoteStore):
        self._store = store

    def _graphs(self) -> list[str]:
        return sorted(self._store.graph_hashes())

    def quads_for_pattern(
        self, subject: Any = None, predicate: Any = None, obj: Any = None, graph: Any = None
    ) -> Iterator[Any]:
        """Quads matching the pattern (``None`` matches anything), as pyoxigraph quads."""
        import pyoxigraph as ox

        from .sparql import term_to_sparql

        graphs = [graph.value] if graph is not None else self._graphs()
        if not graphs:
            return
        terms = {"s": subject, "p": predicate, "o": obj}
        binds = " ".join(
            f"VALUES ?{k} {{ {term_to_sparql(v)} }}" for k, v in terms.items() if v is not None
        )
        values = " ".join(f"<{g}>" for g in graphs)
        doc = self._store.results(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} {binds} "
            "GRAPH ?g { ?s ?p ?o } }",
            union=False,
        )
        solutions = ox.parse_query_results(
            json.dumps(doc).encode("utf-8"), format=ox.QueryResultsFormat.JSON
        )
        for row in solutions:
            yield ox.Quad(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                obj if obj is not None else row["o"],
                ox.NamedNode(row["g"].value),
            )

    def __iter__(self) -> Iterator[Any]:
        return self.quads_for_pattern()
