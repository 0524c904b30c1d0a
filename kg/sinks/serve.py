"""`dta-kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the built graph.

The build's Oxigraph store is copied to a temporary folder (a store another process may
rewrite must not be read in place) and the graph is added there as the named graph
DEFAULT_GRAPH_IRI besides the default graph. The server listens on one port only: requests
are read by `gateway` and answered by worker processes that open the copy read-only
(`engine_pool`), so there is no second, private port that another local process could reach.
Ctrl-C (or SIGTERM) stops it and removes the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.core.paths import Project
from dta_kg.pipeline.manifest import OXIGRAPH
from dta_kg.sinks.engine_pool import EnginePool
from dta_kg.sinks.gateway import Gateway, Limits
from dta_kg.stores.local import ensure_fresh

HOST = "127.0.0.1"


class ServeError(DtaKgError):
    """The local SPARQL endpoint could not be started."""


def check_port(port: int, host: str = HOST) -> None:
    """Fail clearly when `host`:`port` is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                             "choose another with --port or --bind") from exc


def copy_store(project: Project, folder: Path, graph_iri: str) -> Path:
    """Copy the build's Oxigraph store into `folder`, with the graph also in `graph_iri`."""
    target = folder / "store"
    shutil.copytree(project.build / OXIGRAPH, target)
    store = pyoxigraph.Store(str(target))
    store.update(f"INSERT {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
    store.flush()
    del store
    return target


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while serving."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exposure_warning(bind: str, port: int) -> str:
    """What listening on `bind` exposes, when it is not a loopback address ('' when it is)."""
    try:
        if ipaddress.ip_address(bind).is_loopback:
            return ""
    except ValueError:
        if bind.lower() == "localhost":
            return ""
    reach = "every host that can reach this machine" if bind in ("0.0.0.0", "::") else \
        f"every host that can reach {bind}"
    return (f"warning: --bind {bind} exposes the whole graph to {reach} on port {port}: "
            "read-only SPARQL queries (up to the time, size and connection limits), with CORS "
            "open to any web page; requests must name this machine in their Host header. "
            "Use --bind 127.0.0.1 to keep it local.")


def serve(project: Project, port: int, graph_iri: str, *, on_ready: Callable[[str], None],
          notify: Callable[[str], None] | None = None, bind: str = HOST,
          allow_service: bool = False, limits: Limits | None = None) -> None:
    """Serve the built graph on `bind`:`port` until interrupted; returns after a clean stop."""
    limits = limits or Limits()
    check_port(port, bind)
    ensure_fresh(project, notify)
    if notify and (warning := exposure_warning(bind, port)):
        notify(warning)
    with tempfile.TemporaryDirectory(prefix="dta-kg-serve-") as tmp, _sigterm_interrupts():
        store = copy_store(project, Path(tmp), graph_iri)
        pool = EnginePool(str(store), limits.queries, limits.timeout, allow_service)
        host = f"[{bind}]" if ":" in bind else bind

        def ready(bound: int) -> None:
            on_ready(f"http://{host}:{bound}")

        try:
            asyncio.run(Gateway(bind, port, pool, limits, ready).serve())
        except KeyboardInterrupt:
            return
        except OSError as exc:
            raise ServeError(f"cannot listen on {bind}:{port} ({exc.strerror}); "
                             "choose another with --port or --bind") from exc
        finally:
            pool.close()
