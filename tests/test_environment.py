"""The pins in pyproject.toml and environment.yml must be the same list."""

import re
import tomllib

import yaml

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pyproject_and_environment_pins_agree(root):
    with open(root / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = {}
    for dep in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", dep)
        assert m, f"pyproject dependency not pinned exactly: {dep}"
        pins[_norm(m.group(1))] = m.group(2)

    with open(root / "environment.yml", encoding="utf-8") as fh:
        env = yaml.safe_load(fh)
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if pip_dep.startswith("-e"):
                    continue
                name, version = pip_dep.split("==")
                conda[_norm(name)] = version
        elif dep not in ("pip",) and not dep.startswith("python="):
            name, version = dep.split("=")
            conda[_norm(CONDA_TO_PYPI.get(name, name))] = version
    assert conda == pins


def test_lock_file_contains_every_direct_pin(root):
    lock = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            lock[_norm(name)] = version
    with open(root / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name, version = dep.split("==")
        assert lock.get(_norm(name)) == version, dep
