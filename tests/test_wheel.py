"""A wheel built from this checkout works without it: installed into a fresh venv with the
versions uv.lock pins, run from a directory that is not the checkout, it migrates a
database, seeds the demo and serves it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.identity.idp import free_port

ROOT = Path(__file__).resolve().parent.parent
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
WAIT_S = 90

pytestmark = pytest.mark.skipif(not Path(UV).exists(), reason="uv is not installed")


def _run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `service-catalog` command of a fresh venv holding the wheel and its locked needs."""
    work = tmp_path_factory.mktemp("wheel")
    _run(UV, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT), cwd=ROOT)
    [wheel] = (work / "dist").glob("service_catalog-*.whl")
    requirements = work / "requirements.txt"
    _run(
        UV, "export", "--locked", "--no-dev", "--no-emit-project", "--format",
        "requirements-txt", "--output-file", str(requirements), cwd=ROOT,
    )  # fmt: skip
    venv = work / "venv"
    _run(UV, "venv", "--python", sys.executable, str(venv), cwd=work)
    python = str(venv / "bin" / "python")
    _run(UV, "pip", "install", "--python", python, "-r", str(requirements), cwd=work)
    _run(UV, "pip", "install", "--python", python, "--no-deps", str(wheel), cwd=work)
    return venv / "bin" / "service-catalog"


def test_the_installed_wheel_migrates_seeds_and_serves_without_the_checkout(
    installed: Path, fresh_database: str, tmp_path: Path
) -> None:
    site = installed.parent.parent / "lib"
    assert list(site.glob("python3*/site-packages/server/migrations/versions/*-0001_*.py"))
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {"CATALOG_DATABASE_URL": fresh_database, "CATALOG_DATA_DIR": str(tmp_path / "data")}
    env.pop("PYTHONPATH", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    assert _run(str(installed), "--version", cwd=elsewhere, env=env).startswith("service-catalog ")
    assert "database migrated to head" in _run(str(installed), "migrate", cwd=elsewhere, env=env)
    assert "demo catalog:" in _run(str(installed), "seed", "--demo", cwd=elsewhere, env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(installed), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _until_ready(f"http://127.0.0.1:{port}", server)
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ services(first: 1) { totalCount } }"},
            timeout=10,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert ready
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["services"]["totalCount"] > 10


def _until_ready(base: str, server: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return True
        time.sleep(0.3)
    return False
