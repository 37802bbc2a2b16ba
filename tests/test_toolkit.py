"""The tool layer: one description builds the CLI, the API schema and validation."""

from __future__ import annotations

import os

import pydantic
import pytest

from custseg.agent.schemas import api_tools, input_schema, validate_input
from custseg.cli.main import build_parser
from custseg.toolkit import PROFILE, TOOLS, dumps, params_from_dict
from tests.conftest import EXAMPLES


def test_profile_schema_comes_from_the_dataclass():
    schema = input_schema(PROFILE)
    assert schema["required"] == ["files"]
    assert schema["properties"]["files"]["type"] == "array"
    assert "XLSX" in schema["properties"]["files"]["description"]
    assert schema["properties"]["include_unpaid"]["type"] == "boolean"
    assert set(schema["properties"]["source"]["anyOf"][0]["enum"]) >= {"shopify_orders", "stripe_payments", "events"}
    assert [t["name"] for t in api_tools()] == list(TOOLS)


def test_cli_options_come_from_the_same_fields():
    parser = build_parser()
    args = parser.parse_args(["profile", "a.csv", "b.csv", "--map", "customer=Client", "--include-unpaid", "--currency", "usd"])
    assert args.files == ["a.csv", "b.csv"] and args.map == ["customer=Client"]
    assert args.include_unpaid is True and args.currency == "usd"


def test_validation_rejects_bad_tool_input():
    with pytest.raises(pydantic.ValidationError):
        validate_input(PROFILE, {"files": "not-a-list"})
    with pytest.raises(pydantic.ValidationError):
        validate_input(PROFILE, {"files": ["x.csv"], "source": "myspace"})
    assert validate_input(PROFILE, {"files": ["x.csv"]}).files == ["x.csv"]


def test_a_tool_runs_from_a_json_call_as_from_the_cli(cli):
    params = params_from_dict(PROFILE.params, {"files": [str(EXAMPLES / "european_orders.csv")]})
    via_call = dumps(PROFILE.run(params))
    via_cli = cli("profile", EXAMPLES / "european_orders.csv", "--json").out.strip()
    assert via_call == via_cli
    with pytest.raises(ValueError):
        params_from_dict(PROFILE.params, {"files": [], "colour": "red"})


def test_bad_map_syntax_is_a_clean_error(cli):
    res = cli("profile", EXAMPLES / "european_orders.csv", "--map", "customer")
    assert res.code == 2 and "KEY=VALUE" in res.err and "Traceback" not in res.err


def test_cli_reference_is_current():
    from custseg.cli.docs import markdown
    from tests.conftest import ROOT

    assert (ROOT / "docs" / "cli.md").read_text() == markdown(), "regenerate: python -m custseg.cli.docs > docs/cli.md"


def test_run_memory_settings_are_restored_even_when_the_run_fails():
    from custseg.toolkit.memory import DEFAULTS, DURING_RUN, reusing_freed_memory

    class FakeLibc:
        def __init__(self):
            self.settings, self.trimmed = {}, 0

        def mallopt(self, param, value):
            self.settings[param] = value
            return 1

        def malloc_trim(self, pad):
            self.trimmed += 1

    libc = FakeLibc()
    with reusing_freed_memory(libc):
        assert libc.settings == DURING_RUN
    assert libc.settings == DEFAULTS and libc.trimmed == 1
    with pytest.raises(RuntimeError), reusing_freed_memory(libc):
        raise RuntimeError("bad input")
    assert libc.settings == DEFAULTS and libc.trimmed == 2


def test_arrow_memory_kept_during_a_run_and_released_after(monkeypatch):
    """Importing custseg asks Arrow's allocator to keep freed memory (unless the user set it),
    and a run hands it back when it ends, failed or not."""
    import subprocess
    import sys

    import pyarrow as pa

    from custseg.toolkit.memory import reusing_freed_memory

    code = "import os, custseg; print(os.environ.get('MIMALLOC_PURGE_DELAY'))"
    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip() == "10000"
    env["MIMALLOC_PURGE_DELAY"] = "50"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip() == "50"

    released = []

    class Pool:
        def release_unused(self):
            released.append(True)

    monkeypatch.setattr(pa, "default_memory_pool", lambda: Pool())
    with pytest.raises(RuntimeError), reusing_freed_memory():
        raise RuntimeError("bad input")
    assert released == [True]


def test_skill_scripts_find_working_files_with_the_deliverables(tmp_path, monkeypatch, capsys):
    """answers.json and strategy.json are saved in the deliverables folder (SKILL.md): a bare
    name finds them there; the user's own files (a key, rules) are looked for in the uploads
    first; a file found nowhere gets one line saying where to save it."""
    from types import SimpleNamespace

    from custseg.toolkit import script

    outputs, uploads, elsewhere = tmp_path / "outputs", tmp_path / "uploads", tmp_path / "elsewhere"
    for folder in (outputs / "segments", uploads, elsewhere):
        folder.mkdir(parents=True)
    monkeypatch.setattr(script, "OUTPUTS", str(outputs))
    monkeypatch.setattr(script, "UPLOADS", str(uploads))
    monkeypatch.chdir(elsewhere)
    (outputs / "segments" / "answers.json").write_text("{}")
    (outputs / "segments" / "segment.key").write_text("this run's key")
    (uploads / "segment.key").write_text("last month's key")
    params = SimpleNamespace(answers="answers.json", strategy=None, rules=None, key="segment.key", facts=None, out=None)
    script._resolve_paths("brief", params)
    assert params.answers == str(outputs / "segments" / "answers.json")
    assert params.key == str(uploads / "segment.key")
    # render's folder (no --out) is the folder of its --facts, which is the deliverables here
    assert params.facts == str(outputs / "segments" / "facts.json") and params.out is None
    run_params = SimpleNamespace(files=[], out=None)
    script._resolve_paths("run", run_params)
    assert run_params.out == str(outputs / "segments")

    assert script.main("check", ["strategy.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: strategy.json: no such file")
    assert f"Next: save it in {outputs / 'segments'}" in err and "run.py" not in err
    # an upload that is not there: where it was looked for, and how to find the right name
    assert script.main("profile", ["orders_export_1.csv"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: orders_export_1.csv: no such file here or in {uploads}. Next: list {uploads} to find the exact name the user uploaded (or ask them to upload it) and pass that name or the full path\n"
    assert script.main("run", ["orders.csv", "--rules", "my_rules.json"]) == 2 and "error: orders.csv: no such file" in capsys.readouterr().err
    # a mistake in the user's rule file sends Claude to the rule file, not to the export
    (uploads / "rules.json").write_text('{"segments": [{"key": "vip", "when": {"recencyy": [4, 5]}}]}')
    assert script.main("run", [str(EXAMPLES / "european_orders.csv"), "--rules", "rules.json", "--out", str(tmp_path / "fresh")]) == 2
    err = capsys.readouterr().err
    assert "recencyy" in err and err.endswith(f"Next: {script.NEXT_STEP['rules']}\n") and "profile.py" not in err


def test_skill_scripts_find_the_facts_of_a_run_written_elsewhere(tmp_path, monkeypatch, capsys):
    """run.py --out DIR: later scripts take that folder as the run's, so bare names (check.py
    strategy.json, as SKILL.md writes the commands) find the files saved there and its facts
    (two trials saved strategy.json in DIR and check.py looked in the default folder only).
    With that run gone, a brief with no facts anywhere says to pass --facts."""
    from custseg.toolkit import script

    outputs, elsewhere = tmp_path / "outputs", tmp_path / "elsewhere"
    (outputs / "segments").mkdir(parents=True)
    monkeypatch.setattr(script, "OUTPUTS", str(outputs))
    monkeypatch.setattr(script, "UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.chdir(tmp_path)
    assert script.main("check", ["strategy.json"]) == 2  # no run yet: the deliverables folder is the place
    assert f"Next: save it in {outputs / 'segments'} (the deliverables folder)" in capsys.readouterr().err
    assert script.main("run", [str(EXAMPLES / "european_orders.csv"), "--out", str(elsewhere)]) == 0
    capsys.readouterr()
    assert script.main("check", ["strategy.json"]) == 2
    assert f"Next: save it in {elsewhere} (the folder run.py last wrote)" in capsys.readouterr().err
    (elsewhere / "strategy.json").write_text("{}")
    assert script.main("check", ["strategy.json"]) == 1  # an empty plan: problems listed, facts found
    assert '"valid":false' in capsys.readouterr().out
    assert script.main("brief", ["intake"]) == 0
    assert '"phase":"intake"' in capsys.readouterr().out
    (elsewhere / "facts.json").rename(elsewhere / "facts.moved")
    assert script.main("brief", ["intake"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {outputs / 'segments' / 'facts.json'}: no facts.json there. Next: run run.py first; if it wrote to another folder (--out DIR), pass --facts DIR/facts.json\n"
    (elsewhere / "facts.moved").rename(elsewhere / "facts.json")
    assert script.main("brief", ["intake", "--facts", str(elsewhere / "facts.json")]) == 0
    capsys.readouterr()
    # answers.json saved beside those facts is found by its bare name, as SKILL.md writes it
    (elsewhere / "answers.json").write_text('{"goal": "retention"}')
    assert script.main("brief", ["segments", "--facts", str(elsewhere / "facts.json"), "--answers", "answers.json"]) == 0
    assert '"phase":"segments"' in capsys.readouterr().out
    # a segmentation this data does not have: not 'run run.py first', which has been done
    assert script.main("brief", ["operationalize", "--facts", str(elsewhere / "facts.json"), "--segmentation", "behavioral"]) == 2
    err = capsys.readouterr().err
    assert "has no segmentation 'behavioral'" in err and err.endswith(f"Next: {script.NEXT_STEP['segmentation']}\n") and "run.py" not in err


def test_two_working_folders_each_find_their_own_run(tmp_path, monkeypatch, capsys):
    """Two sessions on one machine, each in its own folder with run.py --out: a brief in one
    reads its own run, not the other's last one (a trial's segments brief quoted another
    session's Shopify segments because the note of the last run was one for the whole home)."""
    import json

    from custseg.toolkit import script

    monkeypatch.setattr(script, "OUTPUTS", str(tmp_path / "none"))
    monkeypatch.setattr(script, "UPLOADS", str(tmp_path / "uploads"))
    exports = {"shop": "shopify_orders_export.csv", "app": "product_events.jsonl"}
    for name, export in exports.items():
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        assert script.main("run", [str(EXAMPLES / export), "--out", "out", "--no-charts"]) == 0
        capsys.readouterr()
    for name, export in exports.items():
        monkeypatch.chdir(tmp_path / name)
        assert script.last_run() == str(tmp_path / name / "out")
        assert script.main("brief", ["intake"]) == 0
        brief = json.loads(capsys.readouterr().out)["brief"]
        assert export in brief and exports["app" if name == "shop" else "shop"] not in brief
    monkeypatch.chdir(tmp_path)  # a folder no run was written from: the default place
    assert script.last_run() is None
    # a note in the older one-path format is no run for anyone
    open(script.last_run_file(), "w").write(str(tmp_path / "shop" / "out"))
    monkeypatch.chdir(tmp_path / "shop")
    assert script.last_run() is None


def test_a_plan_saved_with_another_run_is_not_checked_against_this_one(tmp_path, monkeypatch, capsys):
    """run.py --out NEW after a run in the deliverables folder: a strategy.json left with the
    earlier run is not paired with the new facts (a trial got 24 unknown segments and facts)
    but named, with both ways out; saved beside the new run it is checked."""
    import shutil

    from custseg.toolkit import script

    outputs = tmp_path / "outputs"
    monkeypatch.setattr(script, "OUTPUTS", str(outputs))
    monkeypatch.setattr(script, "UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.chdir(tmp_path)
    earlier, new = outputs / "segments", tmp_path / "new"
    assert script.main("run", [str(EXAMPLES / "european_orders.csv"), "--no-charts"]) == 0
    (earlier / "strategy.json").write_text("{}")
    assert script.main("run", [str(EXAMPLES / "european_orders.csv"), "--out", str(new), "--no-charts"]) == 0
    capsys.readouterr()
    assert script.main("check", ["strategy.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: strategy.json: found in {earlier}, which holds another run, not in {new} ")
    assert err.rstrip().endswith(f"pass --facts {earlier / 'facts.json'} to use that run") and err.count("\n") == 1
    assert script.main("check", ["strategy.json", "--facts", str(earlier / "facts.json")]) == 1  # that run's plan, checked: an empty one
    shutil.move(earlier / "strategy.json", new / "strategy.json")
    assert script.main("check", ["strategy.json"]) == 1
    assert '"valid":false' in capsys.readouterr().out


def test_a_bug_in_a_script_is_one_error_line_with_a_next_step(monkeypatch, capsys):
    """SKILL.md promises one 'error:' line with a 'Next:' hint whatever fails, bugs included."""
    import dataclasses

    from custseg.toolkit import TOOLS, script

    def broken(params):
        raise KeyError("migration")

    monkeypatch.setitem(TOOLS, "rules", dataclasses.replace(TOOLS["rules"], run=broken))
    assert script.main("rules", []) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: internal error in rules.py (a bug in the skill): KeyError: 'migration'. Next: ")


def test_an_unknown_purchase_event_sends_claude_to_the_user_not_to_map(capsys):
    from custseg.toolkit import script

    assert script.main("profile", [str(EXAMPLES / "product_events.jsonl"), "--purchase-event", "paid"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the most frequent events are Feature Used (10,202)" in err
    assert err.endswith(f"Next: {script.NEXT_STEP['purchase_event']}\n") and "--map" not in err


def test_customers_at_example_domains_are_taken_for_test_data(cli, tmp_path):
    """A Shopify development store's customers are Shopify's test customers at example.com; a
    trial segmented three of them as real. Most at such domains: test data; a few: test orders.
    The domain is named, never an address."""
    import csv as csvlib
    import re

    from tests.conftest import EXAMPLES

    with open(EXAMPLES / "shopify_orders_export.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csvlib.reader(fh))
    email = rows[0].index("Email")

    def warned(share: float) -> list[str]:
        changed = [rows[0]] + [[*r[:email], re.sub(r"@[a-z]+\.example$", "@example.com", r[email]) if i % 100 < share * 100 else r[email], *r[email + 1:]] for i, r in enumerate(rows[1:])]
        path = tmp_path / f"orders_{share}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csvlib.writer(fh).writerows(changed)
        return [w for w in cli("profile", path, "--json").json()["warnings"] if "reserved for examples and tests" in w]

    assert warned(0.0) == []  # the bundled .example addresses are not flagged
    (few,) = warned(0.01)
    assert "(example.com): test orders?" in few and "@" not in few
    (most,) = warned(1.0)
    assert "this looks like a test or development store's data" in most


def test_an_abandoned_checkouts_file_is_left_out_not_remapped(capsys, tmp_path):
    """A trial uploaded the abandoned checkouts beside the orders: the error said to leave the
    file out, and its 'Next:' said to name columns with --map. The error's own next step wins."""
    from custseg.ingest.detect import NOT_PURCHASES_NEXT
    from custseg.ingest.load import CHECKOUTS_ALONE
    from custseg.toolkit import script
    from tests.test_bad_input import shopify_orders, shopify_row, write

    checkouts = write(tmp_path / "checkouts_export.csv", shopify_orders([shopify_row(i, f"buyer{i}@shop.example", "") for i in range(6)]))
    orders = write(tmp_path / "orders_export.csv", shopify_orders([shopify_row(i, f"buyer{i}@shop.example", "paid") for i in range(6)]))
    assert script.main("profile", [str(orders), str(checkouts)]) == 2
    err = capsys.readouterr().err
    assert "leave this file out" in err and err.endswith("Next: run again with only the orders export's files, and tell the user the abandoned-checkouts file was left out: it holds carts nobody paid for, not customers' purchases\n")
    assert script.main("profile", [str(checkouts)]) == 2
    assert capsys.readouterr().err.endswith(f"Next: {CHECKOUTS_ALONE}\n")
    products = write(tmp_path / "products_export.csv", "Handle,Title,Body (HTML),Variant SKU\nzip,Zip,<p>x</p>,Z-1\n")
    assert script.main("profile", [str(products)]) == 2
    err = capsys.readouterr().err
    assert "--map" not in err and err.endswith(f"Next: {NOT_PURCHASES_NEXT}\n")
