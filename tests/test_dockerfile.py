"""The Dockerfile (no Docker engine here to build it): a build stage and a slim runtime that
installs what uv.lock pins, the otel extra included, runs as non-root with a HEALTHCHECK,
and never migrates on start; every package of the wheel is copied in."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]


def _instructions(stage: str, keyword: str) -> list[str]:
    joined = stage.replace("\\\n", " ")
    return [
        line[len(keyword) :].strip() for line in joined.splitlines() if line.startswith(keyword)
    ]


def test_a_build_stage_and_a_slim_runtime() -> None:
    stages = _stages()

    assert len(stages) == 2
    assert stages[0].startswith("python:3.11-slim AS build")
    assert stages[1].startswith("python:3.11-slim AS runtime")


def test_the_runtime_installs_the_locked_requirements_with_hashes_then_the_wheel() -> None:
    build, runtime = _stages()
    [export] = [run for run in _instructions(build, "RUN ") if "uv export" in run]

    assert "--locked" in export
    assert "--extra otel" in export
    assert "--no-emit-project" in export
    assert "uv build --wheel" in export
    [install] = _instructions(runtime, "RUN ")
    assert "pip install --require-hashes -r /dist/requirements.txt" in install
    assert "pip install --no-deps /dist/*.whl" in install
    assert "gcc" not in runtime
    assert "build-essential" not in runtime


def test_it_runs_as_a_non_root_user_with_a_healthcheck_and_never_migrates_on_start() -> None:
    _, runtime = _stages()
    [user] = _instructions(runtime, "USER ")
    [entrypoint] = _instructions(runtime, "ENTRYPOINT ")
    [command] = _instructions(runtime, "CMD ")

    assert user.split(":")[0] not in ("root", "0")
    assert _instructions(runtime, "HEALTHCHECK ")
    assert "/healthz" in runtime
    assert entrypoint == '["service-catalog"]'
    assert "migrate" not in command
    assert "migrate" not in entrypoint


def test_every_package_of_the_wheel_is_copied_into_the_build() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        pattern.rstrip("*")
        for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    build, _ = _stages()
    copied = {source.split()[0] for source in _instructions(build, "COPY ")}

    assert packages <= copied
    assert {"pyproject.toml", "uv.lock", "README.md"} <= set(
        _instructions(build, "COPY ")[0].split()[:-1]
    )
