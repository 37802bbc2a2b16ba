"""The skill zip: built by the rules, and run as Claude's container would run it.

The clean-virtualenv test installs only packages the code-execution container has
(pandas, numpy, pyarrow, matplotlib, openpyxl; no pydantic, no jinja2, no anthropic), once
with pandas 2.2 and once with the newest, unpacks the zip and runs each script in order
on every bundled example export, as the model would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

from custseg.build.skill import SKILL_NAME, build_skill, validate
from tests.conftest import EXAMPLES, ROOT

EXAMPLE_FILES = ["shopify_orders_export.csv", "stripe_unified_payments.csv", "product_events.jsonl", "crm_customers.csv", "european_orders.csv"]
CONTAINER_PACKAGES = ["numpy", "pyarrow", "matplotlib", "openpyxl", "python-dateutil", "pytz"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    return Path(build_skill(str(out)).path)


def test_zip_layout(built):
    with zipfile.ZipFile(built) as zf:
        names = zf.namelist()
    assert {n.split("/")[0] for n in names} == {SKILL_NAME}
    assert [n for n in names if n.endswith("SKILL.md")] == [f"{SKILL_NAME}/SKILL.md"]
    for n in names:
        parts = n.split("/")
        assert not any(p.startswith(".") or p == "__pycache__" for p in parts), n
        assert not n.endswith((".pyc", ".so")), n
        assert "/tests/" not in n
    for layer in ("agent", "build", "cli"):
        assert not [n for n in names if f"lib/custseg/{layer}/" in n]
    for needed in ("scripts/profile.py", "scripts/run.py", "scripts/check.py", "scripts/render.py", "scripts/brief.py", "reference/strategy.schema.json", "prompts/phase_intake.md.j2", "lib/jinja2/__init__.py", "lib/markupsafe/__init__.py"):
        assert f"{SKILL_NAME}/{needed}" in names, needed


def test_runtime_code_imports_nothing_outside_the_container(built):
    with zipfile.ZipFile(built) as zf:
        sources = {n: zf.read(n).decode() for n in zf.namelist() if n.endswith(".py") and "/lib/custseg/" in n}
    import re

    banned = re.compile(r"^\s*(?:import|from)\s+(pydantic|anthropic|click|typer|httpx)\b", re.MULTILINE)
    for name, text in sources.items():
        assert not banned.search(text), f"{name}: {banned.search(text).group(0)}"


def test_same_sources_give_the_same_zip(tmp_path, built):
    again = build_skill(str(tmp_path)).path
    assert Path(again).read_bytes() == built.read_bytes()


def copy_skill(tmp_path: Path) -> Path:
    folder = tmp_path / "skill"
    shutil.copytree(ROOT / "skill", folder)
    return folder


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda t: t.replace("name: customer-segmentation", "name: Customer_Segmentation"), "lowercase"),
        (lambda t: t.replace("name: customer-segmentation", "name: claude-segments"), "folder name"),
        (lambda t: t.replace("license: MIT", "license: MIT\nversion: 1.0"), "not allowed"),
        (lambda t: t.replace("description: Segments", "description: <b>Segments</b>"), "< or >"),
        (lambda t: t.replace("description: Segments", "description: " + "x" * 1100), "at most 1024"),
        (lambda t: t + "\nline" * 520, "under 500"),
        (lambda t: t.replace("reference/frameworks.md", "reference/missing.md"), "does not exist"),
    ],
)
def test_rule_breaks_are_refused(tmp_path, edit, words):
    folder = copy_skill(tmp_path)
    skill_md = folder / "SKILL.md"
    skill_md.write_text(edit(skill_md.read_text()))
    problems = validate(folder)
    assert any(words in p for p in problems), problems


def test_crlf_skill_md_is_accepted(tmp_path):
    folder = copy_skill(tmp_path)
    skill_md = folder / "SKILL.md"
    skill_md.write_bytes(skill_md.read_bytes().replace(b"\n", b"\r\n"))
    assert validate(folder) == []


def test_long_reference_needs_contents(tmp_path):
    folder = copy_skill(tmp_path)
    (folder / "reference" / "long.md").write_text("# Long\n" + "text\n" * 150)
    assert any("table of contents" in p for p in validate(folder))


def test_build_refuses_a_broken_skill(cli, tmp_path, monkeypatch):
    import custseg.build.skill as build

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "skill", root / "skill")
    (root / "skill" / "SKILL.md").write_text((ROOT / "skill" / "SKILL.md").read_text().replace("name: customer-segmentation", "name: Bad Name"))
    monkeypatch.setattr(build, "repo_root", lambda: root)
    res = cli("build-skill", "--out", tmp_path / "dist")
    assert res.code == 2 and "lowercase" in res.err and not (tmp_path / "dist").exists()


def test_reference_docs_match_the_code():
    from custseg.build.docs import strategy_reference

    expected = strategy_reference(EXAMPLES / "strategies" / "shopify_orders_export.strategy.json")
    assert (ROOT / "skill" / "reference" / "strategy-schema.md").read_text() == expected, "regenerate: see tools/custseg/build/docs.py"
    import dataclasses
    import inspect

    from custseg.strategy import schema

    defined = [name for name, obj in inspect.getmembers(schema, inspect.isclass) if dataclasses.is_dataclass(obj) and obj.__module__ == schema.__name__]
    assert defined and all(f"\n## {name}\n" in expected for name in defined)  # OfferTerm was once left out
    assert "| 'week' \\| 'month' \\| 'quarter' |" in expected  # bars escaped: a table cell stays one cell


# -- the clean-container run ----------------------------------------------------------------------------


def _make_venv(path: Path, pandas_spec: str) -> Path:
    venv.create(path, with_pip=True, clear=True)
    python = path / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", pandas_spec, *CONTAINER_PACKAGES], check=True, capture_output=True)
    return python


@pytest.mark.skipif(os.environ.get("SEGMENT_SKIP_CLEAN_VENV") == "1", reason="clean-venv run already done in this CI job")
@pytest.mark.parametrize("pandas_spec", ["pandas==2.2.3", "pandas"])
def test_scripts_in_a_clean_container_venv(tmp_path, built, pandas_spec):
    python = _make_venv(tmp_path / "venv", pandas_spec)
    for absent in ("pydantic", "jinja2", "anthropic"):
        probe = subprocess.run([str(python), "-c", f"import {absent}"], capture_output=True)
        assert probe.returncode != 0, f"{absent} must not be installed in the container venv"
    with zipfile.ZipFile(built) as zf:
        zf.extractall(tmp_path / "skills")
    skill = tmp_path / "skills" / SKILL_NAME
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path / "mpl")}

    def script(name: str, *args, expect: int = 0, from_skill: bool = False) -> dict:
        # from_skill: as SKILL.md has it, `python3 scripts/NAME.py` run from the skill folder
        command = [str(python), f"scripts/{name}.py" if from_skill else str(skill / "scripts" / f"{name}.py"), *map(str, args)]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=skill if from_skill else tmp_path, env=env)
        assert proc.returncode == expect, f"{name} {args}: {proc.stderr}"
        assert "Traceback" not in proc.stderr
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    for example in EXAMPLE_FILES:
        out = tmp_path / "outputs" / example.split(".")[0]
        profile = script("profile", EXAMPLES / example)
        assert profile["customers"] > 1000 and "rfm" in profile["methods"] or profile["kind"] == "customers"
        result = script("run", EXAMPLES / example, "--out", out)
        for name in ("facts.json", "customers.csv", "report.md", "report.html", "segments.xlsx"):
            assert (out / name).is_file(), (example, name)
        assert list((out / "charts").glob("*.png")) and list((out / "exports").glob("*.csv"))
        assert result["customers"] == profile["customers"]
        for phase in ("intake", "segments", "strategy", "operationalize"):
            brief = script("brief", phase, "--facts", out / "facts.json")
            assert brief["phase"] == phase and "Gate" in brief["brief"]
        strategy = EXAMPLES / "strategies" / f"{example.split('.')[0]}.strategy.json"
        checked = script("check", strategy, "--facts", out / "facts.json")
        assert checked["valid"] is True, checked
        script("render", "--facts", out / "facts.json", "--strategy", strategy)  # into the folder of --facts, as its help says
        report = (out / "report.md").read_text()
        persona = next(iter(json.loads(strategy.read_text())["segments"].values()))["persona"]
        assert persona.split("{")[0][:40] in report
    bad = script("profile", tmp_path / "nope.csv", expect=2)
    assert bad == {}

    # SKILL.md's own commands, word for word, run from the skill folder: default folders and
    # bare names of the files Claude writes into the deliverables folder. Without
    # /mnt/user-data the deliverables go to ~/segment-outputs, never into the skill.
    example = EXAMPLE_FILES[0]
    skill_files = sorted(p.relative_to(skill) for p in skill.rglob("*") if "__pycache__" not in p.parts)
    script("run", EXAMPLES / example, from_skill=True)
    deliverables = tmp_path / "segment-outputs" / "segments"
    assert (deliverables / "facts.json").is_file()
    (deliverables / "answers.json").write_text(json.dumps({"goal": "retention"}))
    shutil.copy(EXAMPLES / "strategies" / f"{example.split('.')[0]}.strategy.json", deliverables / "strategy.json")
    assert script("brief", "segments", "--answers", "answers.json", from_skill=True)["phase"] == "segments"
    assert script("check", "strategy.json", "--stage", "strategy", "--preview", from_skill=True)["valid"] is True
    script("render", "--strategy", "strategy.json", from_skill=True)
    assert (deliverables / "report.html").is_file()
    assert sorted(p.relative_to(skill) for p in skill.rglob("*") if "__pycache__" not in p.parts) == skill_files


def test_the_zip_ships_the_facts_json_schema(built):
    """reference/facts.schema.json: what SKILL.md tells Claude to look a fact key up in."""
    import json

    from custseg.build.facts_schema import facts_json_schema

    with zipfile.ZipFile(built) as zf:
        shipped = json.loads(zf.read("customer-segmentation/reference/facts.schema.json"))
    assert shipped == facts_json_schema()
    assert "products" in shipped["$defs"]["DataCoverage"]["properties"] and shipped["$defs"]["DataProducts"]["additionalProperties"] is False
