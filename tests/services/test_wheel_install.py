"""The wheel works outside the checkout (issue 13, defects 1 and 2).

The wheel is built from a copy of the source, installed into a fresh venv (its dependencies
from the package index, pinned by constraints.txt), and run from an empty folder with a
private home: it answers the example question, builds into the per-user data folder (never
into site-packages), validates, copies its records with `init`, and serves SPARQL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
from plugins.servers import free_port, missing

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
WAI_SR_BOND = {"10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"}
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info",
                              ".pytest_cache", ".ruff_cache", "node_modules", ".setuptools-build")


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """A fresh venv with the wheel installed; returns (bin folder, env, empty working folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"),
                  str(src)])
    if built.returncode:
        missing(f"the wheel could not be built (no package index?): {built.stderr[-500:]}")
    (wheel,) = (tmp / "dist").glob("dta_kg-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)]).check_returncode()
    # --no-compile: byte-compiling every dependency up front took 16 of the fixture's 35 s;
    # what runs is compiled as it is imported
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile",
                      "-c", str(ROOT / "constraints.txt"), str(wheel)])
    if installed.returncode:
        missing(f"the wheel's dependencies could not be installed: {installed.stderr[-500:]}")
    work = tmp / "empty"
    work.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp / "home"),
           "XDG_DATA_HOME": str(tmp / "data"), "LANG": "C.UTF-8"}
    return venv / "bin", env, work, tmp


def dta_kg(wheel_env, *args: str) -> subprocess.CompletedProcess:
    bin_dir, env, work, _ = wheel_env
    return _run([str(bin_dir / "dta-kg"), *args], env=env, cwd=work)


def site_packages(wheel_env) -> Path:
    _, _, _, tmp = wheel_env
    (found,) = (tmp / "venv" / "lib").glob("python*/site-packages")
    return found


def test_the_installed_wheel_answers_the_example_question_from_an_empty_folder(wheel_env):
    _, _, work, tmp = wheel_env
    before = sorted(p for p in site_packages(wheel_env).rglob("*") if "__pycache__" not in p.parts)
    result = dta_kg(wheel_env, "studies", "--component", "bond", "--instrument", "WAI-SR",
                    "--format", "json")
    assert result.returncode == 0, result.stderr
    assert {row["doi"] for row in json.loads(result.stdout)} == WAI_SR_BOND
    assert list(work.iterdir()) == []  # nothing written where it ran
    build = tmp / "data" / "dta-kg" / "build"
    assert (build / "oxigraph").is_dir() and (build / "dta-kg.ttl").is_file()
    after = sorted(p for p in site_packages(wheel_env).rglob("*") if "__pycache__" not in p.parts)
    assert after == before  # nothing written into site-packages


def test_the_wheel_ships_every_generated_ontology_file(wheel_env):
    """The shapes, the JSON-LD context and OWL RL's answer on the ontology (which spares every
    build the reasoner) are package data, byte for byte as generated."""
    from dta_kg.views.generated import WHOLE

    shipped = site_packages(wheel_env) / "dta_kg"
    ontology = [path for path in WHOLE if path.startswith("ontology/")]
    assert "ontology/reasoned.json" in ontology
    for path in ontology:
        assert (shipped / path).read_bytes() == (ROOT / path).read_bytes(), path


def test_the_installed_wheel_validates(wheel_env):
    result = dta_kg(wheel_env, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")


def test_init_copies_the_records_for_a_curator_to_edit(wheel_env):
    _, _, work, _ = wheel_env
    result = dta_kg(wheel_env, "init", "my-records")
    assert result.returncode == 0, result.stderr
    records = work / "my-records"
    assert len(list((records / "studies").glob("*.yaml"))) == 28
    assert (records / "review.yaml").is_file() and not (records / "__init__.py").exists()
    shipped = site_packages(wheel_env) / "dta_kg" / "records"
    assert (records / "instruments.yaml").read_bytes() == (shipped / "instruments.yaml").read_bytes()
    answer = dta_kg(wheel_env, "studies", "--component", "bond", "--instrument", "WAI-SR",
                    "--records", "my-records", "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert all(doi in answer.stdout for doi in WAI_SR_BOND)
    assert len(answer.stdout.strip().splitlines()) == 1 + len(WAI_SR_BOND)


def test_the_installed_wheel_serves_sparql(wheel_env):
    bin_dir, env, work, _ = wheel_env
    port = free_port()
    proc = subprocess.Popen([str(bin_dir / "dta-kg"), "serve", "--port", str(port)], env=env,
                            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        query = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/dta-kg/ontology#Study> }"
        url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query})
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(
                        url, headers={"Accept": "application/sparql-results+json"}), timeout=5) as resp:
                    answer = json.load(resp)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "dta-kg serve did not answer in 120 s"
                time.sleep(0.5)
        assert answer["results"]["bindings"][0]["n"]["value"] == "28"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(30)


def test_the_installed_wheel_draws_the_model_diagram_from_its_package_data(wheel_env):
    """Every file read at run time is package data: the diagram's source is, not the README."""
    bin_dir, env, work, _ = wheel_env
    code = ("from dta_kg.views.model_diagram import model_svg\n"
            "svg = model_svg()\nprint(svg.count('<rect'), 'dta:IntegrativeReview' in svg)")
    drawn = _run([str(bin_dir / "python"), "-c", code], env=env, cwd=work)
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.split() == ["12", "True"]


def _wheel(src: Path, out: Path) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)])


def test_a_wheel_holds_the_checkout_as_it_is_now_and_building_it_warns_of_nothing(tmp_path):
    """setuptools builds apart from the graph's build/ and from scratch: a record deleted since
    the last wheel is not in the next one, and the graph's build/ is left alone."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    graph = src / "build" / "dta-kg.nt"
    graph.parent.mkdir()
    graph.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    first = _wheel(src, tmp_path / "first")
    if first.returncode:
        missing(f"the wheel could not be built (no package index?): {first.stderr[-500:]}")
    gone = src / "records" / "studies" / "ref-25-beatty-2022.yaml"
    gone.unlink()
    second = _wheel(src, tmp_path / "second")
    assert second.returncode == 0, second.stderr
    output = (first.stdout + first.stderr + second.stdout + second.stderr).lower()
    assert "warning:" not in output.replace("warning: location 'file", ""), output[-3000:]
    assert sorted(os.listdir(src / "build")) == ["dta-kg.nt"]  # setuptools wrote nothing there
    names = {d: zipfile.ZipFile(next((tmp_path / d).glob("*.whl"))).namelist()
             for d in ("first", "second")}
    record = "dta_kg/records/studies/ref-25-beatty-2022.yaml"
    assert record in names["first"] and record not in names["second"]
    assert "dta_kg/records/instruments.yaml" in names["second"]
    assert "dta_kg/views/assets/model.mmd" in names["second"]
