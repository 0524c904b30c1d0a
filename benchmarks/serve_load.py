"""Benchmark `dta-kg serve` under load, beside Oxigraph's own read-only server.

    python benchmarks/serve_load.py --clients 50 --seconds 60 --idle 300 --runs 3 --work /tmp/dta-kg-serve

Each server in turn, on 127.0.0.1, over the same copy of the curated graph's store:
`dta-kg serve` (defaults: 30 s per query, two engine processes) and `oxigraph serve-read-only
--timeout-s 30` (the `oxigraph` package's binary). For `--seconds`, `--clients` threads each
send the catalogue's named SPARQL questions (with the parameters of their `# example:` line,
bound as VALUES blocks as `--endpoint` binds them) one after another on a kept-alive
connection, while `--idle` connections stay open without finishing a request (a third of them
having sent half a request head; each is opened again when the server closes it) and one
runaway query (a cartesian COUNT) is sent after five seconds. A well-formed request fails when
it gets no 200. The figures (requests, failures, latency median, p95 and p99, the runaway's
status and time, the load average) go into benchmarks/README.md between the `serve:start` and
`serve:end` markers, with the ratio of the two p95 latencies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sections import put_section  # noqa: E402  (beside this script)

BIN = Path(sys.executable).parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
START, END = "<!-- serve:start -->", "<!-- serve:end -->"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def catalogue_texts(build: Path) -> list[tuple[str, str]]:
    """(name, text) of each named SPARQL question with its example's parameters bound."""
    from dta_kg.core.paths import RECORDS_DIR, Project
    from dta_kg.queries.catalogue import catalogue
    from dta_kg.query.session import Session, sparql_bindings
    from dta_kg.query.sparql_text import bind_values, with_prefixes

    session = Session(Project(records=RECORDS_DIR, build=build))
    texts = []
    for name, query in sorted(catalogue().items()):
        words = shlex.split(query.example or "")
        given = dict(w.split("=", 1) for before, w in zip(words, words[1:], strict=False)
                     if before == "-p" and "=" in w)
        values = session.bind(query, given)
        terms = {k: str(v) for k, v in sparql_bindings(query, values).items()}
        texts.append((name, bind_values(with_prefixes(query.text("sparql", values)), terms)))
    return texts


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    runaway: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _get(conn: http.client.HTTPConnection, text: str) -> tuple[int, bytes]:
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": text}),
                 headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def client(port: int, texts: list[tuple[str, str]], until: float, load: Load, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    i = offset
    while time.monotonic() < until:
        name, text = texts[i % len(texts)]
        i += 1
        started = time.perf_counter()
        try:
            status, _ = _get(conn, text)
        except (OSError, http.client.HTTPException) as exc:
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            why = f"{name}: {type(exc).__name__}"
        else:
            why = f"{name}: HTTP {status}"
        with load.lock:
            if status == 200:
                load.latencies.append(time.perf_counter() - started)
            else:
                load.failures.append(why)
    conn.close()


def idle(port: int, count: int, until: float) -> None:
    """`count` connections that never finish a request, opened again when closed."""
    socks: list[socket.socket | None] = [None] * count
    while time.monotonic() < until:
        for i in range(count):
            sock = socks[i]
            if sock is not None:
                try:
                    sock.setblocking(False)
                    if sock.recv(1024) == b"":
                        raise ConnectionError
                    continue
                except BlockingIOError:
                    continue
                except OSError:
                    sock.close()
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                if i % 3 == 0:
                    sock.sendall(b"GET /query?query=ASK HTTP/1.1\r\n")
                socks[i] = sock
            except OSError:
                socks[i] = None
        time.sleep(1)
    for sock in socks:
        if sock is not None:
            sock.close()


def runaway(port: int, load: Load) -> None:
    time.sleep(5)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        status, _ = _get(conn, RUNAWAY)
        load.runaway = f"HTTP {status} after {time.perf_counter() - started:.1f} s"
    except (OSError, http.client.HTTPException) as exc:
        load.runaway = f"{type(exc).__name__} after {time.perf_counter() - started:.1f} s"
    conn.close()


def run_load(port: int, texts: list[tuple[str, str]], clients: int, seconds: float,
             idle_count: int) -> tuple[Load, float]:
    load = Load()
    for name, text in texts:  # warm up, and every question must answer
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, body = _get(conn, text)
        conn.close()
        assert status == 200, (name, status, body[:300])
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=idle, args=(port, idle_count, until), daemon=True)]
    threads.append(threading.Thread(target=runaway, args=(port, load), daemon=True))
    time.sleep(0)
    threads += [threading.Thread(target=client, args=(port, texts, until, load, i), daemon=True)
                for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    before = os.getloadavg()[0]
    for thread in threads:
        thread.join(120)
    return load, before


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not listen on {port}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


SERVERS = ("dta-kg serve", "oxigraph serve-read-only")


@dataclass
class Row:
    run: int
    server: str
    total: int
    failed: int
    median: float
    p95: float
    p99: float
    rate: float
    runaway: str
    load: float
    failures: list[str]


def measure(server: str, build: Path, env: dict[str, str], args: argparse.Namespace,
            texts: list[tuple[str, str]], run: int) -> Row:
    """One server under the load, started and stopped here."""
    port = free_port()
    if server == SERVERS[0]:
        cmd = [str(BIN / "dta-kg"), "serve", "--port", str(port)]
    else:
        copy = args.work / "oxigraph-copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(build / "oxigraph", copy)
        cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind",
               f"127.0.0.1:{port}", "--timeout-s", "30"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc, server)
        time.sleep(2)
        load, avg = run_load(port, texts, args.clients, args.seconds, args.idle)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = load.latencies
    return Row(run, server, len(lat) + len(load.failures), len(load.failures),
               statistics.median(lat) if lat else float("nan"), percentile(lat, 0.95),
               percentile(lat, 0.99), len(lat) / args.seconds, load.runaway, avg,
               sorted(set(load.failures))[:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dta-kg-serve-bench"))
    parser.add_argument("--runs", type=int, default=3, help="runs of both servers")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args()
    build = args.work / "build"
    env = {**os.environ, "DTA_KG_BUILD": str(build)}
    env.pop("DTA_KG_RECORDS", None)
    if not (build / "oxigraph").exists():
        subprocess.run([str(BIN / "dta-kg"), "build"], env=env, check=True, stdout=subprocess.DEVNULL)
    texts = catalogue_texts(build)
    rows, ratios = [], []
    for run in range(1, args.runs + 1):
        order = SERVERS if run % 2 else SERVERS[::-1]  # alternate who goes first
        p95 = {}
        for server in order:
            row = measure(server, build, env, args, texts, run)
            rows.append(row)
            p95[server] = row.p95
            print(row, flush=True)
        ratios.append(p95[SERVERS[0]] / p95[SERVERS[1]])
    table = ["| run | server | requests | failed | median | p95 | p99 | answers/s | "
             "runaway query | load average (1 min) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        table.append(f"| {r.run} | {r.server} | {r.total:,} | {r.failed} | {r.median * 1000:.0f} ms "
                     f"| {r.p95 * 1000:.0f} ms | {r.p99 * 1000:.0f} ms | {r.rate:.1f} | {r.runaway} "
                     f"| {r.load:.2f} |")
    failures = "; ".join(f"run {r.run}, {r.server}: {', '.join(r.failures)}"
                         for r in rows if r.failures) or "none"
    section = "\n".join([
        START, "## `dta-kg serve` under load, beside Oxigraph's own server",
        "",
        f"`python benchmarks/serve_load.py --clients {args.clients} --seconds {args.seconds:g} "
        f"--idle {args.idle} --runs {args.runs}`, run {dt.date.today().isoformat()} on a shared "
        f"2-core machine ({os.cpu_count()} CPUs seen) where other engineers' tests ran at the "
        "same time: the figures are noisy; the ratio between the two servers (same load, one "
        "after the other, the order alternating between runs) is the one to read. "
        f"{args.clients} clients send the {len(texts)} named SPARQL questions of the catalogue "
        f"on the curated graph for {args.seconds:g} s, while {args.idle} connections sit idle "
        "and one cartesian COUNT runs away. Both servers have a 30 s query limit (`dta-kg "
        "serve` by default, Oxigraph with `--timeout-s 30`).",
        "", *table, "",
        "p95 latency ratio, dta-kg serve / oxigraph serve-read-only, by run: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"; median **{statistics.median(ratios):.2f}**. Failed well-formed requests: {failures}.",
        END])
    put_section(args.readme, section)
    print(section)


if __name__ == "__main__":
    main()
