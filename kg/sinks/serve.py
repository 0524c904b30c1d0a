"""`dta-kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the built graph.

The build's Oxigraph store is copied to a temporary folder (a store another process may
rewrite must not be read in place), the graph is added there as the named graph
DEFAULT_GRAPH_IRI besides the default graph, and `oxigraph serve-read-only` answers on a
private loopback port. Updates are refused by the server itself. The address the user sees is
`dta_kg.sinks.gateway`, which checks the Host header, refuses SERVICE unless allowed, and adds
CORS headers. Ctrl-C (or SIGTERM) stops both and removes the copy.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.core.paths import Project
from dta_kg.pipeline.manifest import OXIGRAPH
from dta_kg.sinks.gateway import Gateway
from dta_kg.stores.local import ensure_fresh

HOST = "127.0.0.1"


class ServeError(DtaKgError):
    """The local SPARQL endpoint could not be started."""


def oxigraph_binary() -> str:
    """The `oxigraph` server binary: beside this Python (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the oxigraph server binary is missing; dta-kg depends on it: "
                         "reinstall with `pip install dta-kg` or `pip install oxigraph`")
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def check_port(port: int, host: str = HOST) -> None:
    """Fail clearly when `host`:`port` is taken."""
    with socket.socket() as sock:
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


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the server gets SIGKILL if dta-kg itself is killed, so it never lingers."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while serving."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(project: Project, port: int, graph_iri: str, *, on_ready: Callable[[str], None],
          notify: Callable[[str], None] | None = None, startup: float = 30.0,
          bind: str = HOST, allow_service: bool = False) -> None:
    """Serve the built graph on `bind`:`port` until interrupted; returns after a clean stop."""
    binary = oxigraph_binary()
    check_port(port, bind)
    ensure_fresh(project, notify)
    private = free_port()
    url = f"http://{HOST}:{private}"
    with tempfile.TemporaryDirectory(prefix="dta-kg-serve-") as tmp, _sigterm_interrupts():
        store = copy_store(project, Path(tmp), graph_iri)
        log = Path(tmp) / "oxigraph.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [binary, "serve-read-only", "--location", str(store), "--bind", f"{HOST}:{private}"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        gateway = None
        try:
            deadline = time.monotonic() + startup
            while not _ready(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                    raise ServeError(f"oxigraph did not start on {url}: " + " | ".join(tail))
                time.sleep(0.1)
            try:
                gateway = Gateway(bind, port, url, allow_service=allow_service)
            except OSError as exc:
                raise ServeError(f"cannot listen on {bind}:{port} ({exc.strerror}); "
                                 "choose another with --port or --bind") from exc
            gateway.start()
            host = f"[{bind}]" if ":" in bind else bind
            on_ready(f"http://{host}:{gateway.server_address[1]}")
            code = proc.wait()
            raise ServeError(f"oxigraph stopped unexpectedly (exit code {code}): "
                             + " | ".join(log.read_text(errors="replace").strip().splitlines()[-5:]))
        except KeyboardInterrupt:
            return
        finally:
            if gateway is not None:
                gateway.shutdown()
                gateway.server_close()
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
