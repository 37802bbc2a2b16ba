"""Build the skill zip that claude.ai accepts: one top folder, one SKILL.md, the runtime code.

The zip holds SKILL.md, reference/ and scripts/ from ``skill/``, the Jinja templates from
``prompts/``, the runtime layers of ``custseg`` (never the CLI, agent or build layers) and
jinja2 + markupsafe vendored as pure Python under ``lib/``. The rules of DESIGN.md are
checked before anything is written; entries are sorted with fixed timestamps, so the same
sources give the same zip.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from custseg.errors import InputError

SKILL_NAME = "customer-segmentation"
ALLOWED_KEYS = {"name", "description", "license", "allowed-tools", "metadata", "compatibility"}
RUNTIME_EXCLUDE = {"agent", "build", "cli"}  # layers that need pydantic / anthropic or only serve maintainers
VENDORED = ("jinja2", "markupsafe")
MAX_BODY_LINES = 500
TOC_AFTER_LINES = 100
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class BuildResult:
    path: str
    files: int
    bytes: int


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


# -- validation ------------------------------------------------------------------------------


def parse_frontmatter(text: str) -> tuple[dict, list[str]]:
    """A small YAML subset (what SKILL.md frontmatter uses): key: value, one nested level."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("SKILL.md must start with a '---' frontmatter block")
    try:
        end = lines.index("---", 1)
    except ValueError:
        raise ValueError("SKILL.md frontmatter is not closed with '---'") from None
    meta: dict = {}
    current = None
    for raw in lines[1:end]:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith((" ", "\t")) and current is not None:
            key, _, value = raw.strip().partition(":")
            if not isinstance(meta[current], dict):
                meta[current] = {}
            meta[current][key.strip()] = _scalar(value)
            continue
        key, sep, value = raw.partition(":")
        if not sep:
            raise ValueError(f"frontmatter line is not 'key: value': {raw!r}")
        current = key.strip()
        meta[current] = _scalar(value) if value.strip() else {}
    return meta, lines[end + 1 :]


def _scalar(value: str):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def validate(folder: Path) -> list[str]:
    """Every rule a claude.ai upload must meet, as plain problems (empty when valid)."""
    problems = []
    skill_md = folder / "SKILL.md"
    if not skill_md.is_file():
        return [f"{skill_md} is missing"]
    try:
        meta, body = parse_frontmatter(skill_md.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [str(exc)]
    extra = sorted(set(meta) - ALLOWED_KEYS)
    if extra:
        problems.append(f"frontmatter key(s) {', '.join(extra)} not allowed; use only {', '.join(sorted(ALLOWED_KEYS))} (a version goes under metadata)")
    name = meta.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) or len(name) > 64:
        problems.append("name must be lowercase letters, digits and single hyphens, at most 64 characters")
    elif name != SKILL_NAME:
        problems.append(f"name {name!r} must equal the folder name {SKILL_NAME!r}")
    elif "claude" in name or "anthropic" in name:
        problems.append("name must not contain 'claude' or 'anthropic'")
    desc = meta.get("description")
    if not isinstance(desc, str) or not desc.strip():
        problems.append("description must be a non-empty string")
    else:
        if len(desc) > 1024:
            problems.append(f"description has {len(desc)} characters; at most 1024")
        if "<" in desc or ">" in desc:
            problems.append("description must not contain < or >")
    while body and not body[-1].strip():
        body.pop()
    if len(body) >= MAX_BODY_LINES:
        problems.append(f"SKILL.md body has {len(body)} lines; keep it under {MAX_BODY_LINES}")
    reference = folder / "reference"
    if reference.exists():
        for path in sorted(reference.rglob("*")):
            if path.is_dir():
                problems.append(f"reference/{path.relative_to(reference)} is a folder: reference files sit one level deep")
            elif path.suffix == ".md":
                lines = path.read_text(encoding="utf-8").splitlines()
                if len(lines) > TOC_AFTER_LINES and not any(re.match(r"(?i)^(#+\s*)?contents\b", ln.strip()) for ln in lines[:15]):
                    problems.append(f"reference/{path.name} has {len(lines)} lines and no table of contents near the top")
    for link in re.findall(r"((?:reference|scripts)/[a-z0-9_.\-]+\.[a-z]+)", "\n".join(body)):
        if not (folder / link).exists() and not link.endswith(("strategy.schema.json", "facts.schema.json")):
            problems.append(f"SKILL.md points at {link}, which does not exist")
    return problems


# -- assembly ------------------------------------------------------------------------------------


def _runtime_files(root: Path) -> dict[str, bytes]:
    package = root / "tools" / "custseg"
    files = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if rel.parts[0] in RUNTIME_EXCLUDE or "__pycache__" in rel.parts:
            continue
        files[f"lib/custseg/{rel.as_posix()}"] = path.read_bytes()
    return files


def _vendored_files() -> dict[str, bytes]:
    files = {}
    for name in VENDORED:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise InputError(None, f"cannot vendor {name}: it is not installed (pip install {name})")
        base = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if "__pycache__" in rel.parts or not path.is_file():
                continue
            if path.suffix in (".py", ".typed"):  # pure Python only: markupsafe falls back from its C speedups
                files[f"lib/{name}/{rel.as_posix()}"] = path.read_bytes()
        licence = _licence(name)
        if licence:
            files[f"lib/{name}/LICENSE.txt"] = licence
    return files


def _licence(name: str) -> bytes | None:
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if f.name.upper().startswith(("LICENSE", "LICENCE")):
            return Path(f.locate()).read_bytes()
    return None


def _skill_files(root: Path) -> dict[str, bytes]:
    skill = root / "skill"
    files = {}
    for path in sorted(skill.rglob("*")):
        rel = path.relative_to(skill)
        if path.is_dir() or any(p.startswith(".") or p == "__pycache__" for p in rel.parts) or path.suffix == ".pyc":
            continue
        files[rel.as_posix()] = path.read_bytes()
    for path in sorted((root / "prompts").glob("*.j2")):
        files[f"prompts/{path.name}"] = path.read_bytes()
    try:
        from custseg.strategy.schema import strategy_json_schema

        files["reference/strategy.schema.json"] = (json.dumps(strategy_json_schema(), indent=2, sort_keys=True) + "\n").encode()
    except ImportError:
        pass
    try:  # pydantic derives it: the build's dependency, not the skill's
        from custseg.build.facts_schema import facts_json_schema

        files["reference/facts.schema.json"] = (json.dumps(facts_json_schema(), indent=2, sort_keys=True) + "\n").encode()
    except ImportError:
        pass
    return files


def build_skill(out_dir: str = "dist", root: Path | None = None) -> BuildResult:
    root = root or repo_root()
    problems = validate(root / "skill")
    if problems:
        raise InputError(str(root / "skill" / "SKILL.md"), "; ".join(problems))
    files = {**_skill_files(root), **_runtime_files(root), **_vendored_files()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{SKILL_NAME}/{name}", date_time=FIXED_TIME)
            info.external_attr = (0o755 if name.startswith("scripts/") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{SKILL_NAME}.zip")
    data = buffer.getvalue()
    with open(path, "wb") as fh:
        fh.write(data)
    return BuildResult(os.path.abspath(path), len(files), len(data))
