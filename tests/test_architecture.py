"""The shape of the package (docs/architecture.md): layers one way, no import in a function, the CLI on the
public API, options declared once and present everywhere, every JSON output strict, mypy clean."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import GOLDEN, LOCATE, ROOT, SAMPLE, money

import lm3
from lm3.cli import cli
from lm3.cli.options import INPUT_PARAMS, METHOD_PARAMS, flag

PACKAGE = ROOT / "lm3"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node, node.module))
        elif isinstance(node, ast.Import):
            out += [(node, a.name) for a in node.names]
    return out


def test_import_linter_contracts_are_kept():
    """lm3's layers (pyproject.toml [tool.importlinter]): no upward or sideways import, the CLI on the public
    API. ``lint-imports`` exits non-zero on a broken contract."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_no_lm3_module_is_imported_inside_a_function():
    found = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node, name in _imports(func):
                if name == "lm3" or name.startswith("lm3."):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")  # type: ignore[attr-defined]
    assert found == []


def test_only_front_ends_and_facades_import_the_package_root():
    """The core never imports ``lm3`` itself (that would be a cycle through the public API); only the front
    ends (the CLI, the web app) do, and ``lm3.charts`` is the public face of ``lm3.render.charts``."""
    found = []
    for path in MODULES:
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("cli/", "web/")) or rel in ("__init__.py", "__main__.py", "charts.py"):
            continue
        for node, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "lm3" or name == "lm3.charts" or name.startswith("lm3.cli"):
                found.append(f"{rel}:{node.lineno}")  # type: ignore[attr-defined]
    assert found == []


def test_the_cli_imports_only_the_public_api():
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for _, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "lm3" or name.startswith("lm3."):
                allowed = name in ("lm3", "lm3.charts", "lm3.web") or name.startswith("lm3.cli")
                assert allowed, f"{path.name}: {name}"


def test_the_web_app_imports_only_the_public_api():
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        for _, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "lm3" or name.startswith("lm3."):
                assert name in ("lm3", "lm3.charts") or name.startswith("lm3.web"), f"{path.name}: {name}"


def test_the_core_speaks_api_words_not_flags():
    """No message in the core names a command-line flag: errors carry the parameters (``err.params``) and
    the CLI names the flags."""
    found = []
    for path in MODULES:
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("cli/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                for param in (*INPUT_PARAMS, *METHOD_PARAMS):
                    if f"{flag(param)} " in node.value or node.value.endswith(flag(param)):
                        found.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
    # the supplier template tells the person filling it in how to give it back to lm3: a command line
    assert [f for f in found if not f.startswith("render/supplier_template.py")] == []


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append(((*prefix, name), command))
    return out


STUDY_COMMANDS = {
    ("calculate",),
    ("locate",),
    ("report",),
    ("scenario",),
    ("suppliers", "template"),
    ("suppliers", "companies-house"),
    ("survey", "template"),
}
COMPUTING_COMMANDS = {("calculate",), ("report",), ("scenario",)}


def test_every_command_has_help_and_every_option_is_explained():
    for path, command in _commands(cli):
        assert command.help, path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"lm3 {' '.join(path)} {param.opts[0]} has no help"


def test_commands_that_read_a_study_take_the_same_options():
    flags = {
        path: {o for p in c.params if isinstance(p, click.Option) for o in p.opts}
        for path, c in _commands(cli)
    }
    inputs = {flag(p) for p in INPUT_PARAMS}
    method = {flag(p) for p in METHOD_PARAMS}
    for path in STUDY_COMMANDS:
        assert inputs <= flags[path], (path, inputs - flags[path])
    for path in COMPUTING_COMMANDS:
        assert method <= flags[path], (path, method - flags[path])
    # the options are Project's fields: what a flag sets, lm3.toml can set too
    assert set(INPUT_PARAMS) | set(METHOD_PARAMS) <= set(lm3.Project.__dataclass_fields__)


@pytest.mark.parametrize("command", ["report", "scenario"])
def test_report_and_scenario_help_show_the_inputs(command):
    shown = CliRunner().invoke(cli, [command, "--help"]).output
    for option in ("--payments", "--columns", "--sheet", "--income", "--suppliers", "--area", "--default"):
        assert option in shown, option


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _money_everywhere(data: object, keys: set[str]) -> int:
    """Check every value under a money key is JSON money; return how many were seen."""
    seen = 0
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("columns", "all_columns"):  # header texts, by field
                continue
            if k in keys and v is not None and not isinstance(v, bool | dict | list):
                money(v)
                seen += 1
            seen += _money_everywhere(v, keys)
    elif isinstance(data, list):
        seen += sum(_money_everywhere(v, keys) for v in data)
    return seen


MONEY_KEYS = {"round1", "round2", "round3", "amount", "total", "placed", "local", "moved", "kept_locally"}


def test_every_json_output_is_strict_with_money_as_text(tmp_path):
    run = CliRunner().invoke
    saved = tmp_path / "sample.json"
    outputs = {
        "calculate": run(cli, ["calculate", str(SAMPLE), "--json"]),
        "ingest": run(cli, ["ingest", str(GOLDEN / "payments.csv"), "--json"]),
        "locate": run(
            cli,
            [
                "locate",
                "--payments",
                str(LOCATE / "payments.csv"),
                "--suppliers",
                str(LOCATE / "register.csv"),
                "--area",
                "Bradford",
                "--json",
            ],
        ),
        "scenario": run(cli, ["scenario", str(SAMPLE), "--shift", "share=10%", "--json"]),
    }
    saved.write_text(outputs["calculate"].output, encoding="utf-8")
    outputs["compare"] = run(cli, ["compare", str(saved), str(SAMPLE), "--json"])
    outputs["report"] = run(cli, ["report", str(SAMPLE), "--out", str(tmp_path / "r"), "--format", "json"])
    for name, out in outputs.items():
        assert out.exit_code == 0, (name, out.output)
    texts = {k: v.output for k, v in outputs.items() if k != "report"}
    texts["result.json"] = (tmp_path / "r" / "result.json").read_text(encoding="utf-8")
    for name, text in texts.items():
        data = _strict(text)
        assert _money_everywhere(data, MONEY_KEYS) > 0, name
    sample = _strict(texts["calculate"])
    assert isinstance(sample, dict)
    assert sample["round1"] == "828195.34" or money(sample["round1"]) > 0
    assert all(set(w) == {"code", "message"} for w in sample["warnings"])


def test_json_never_holds_nan_even_for_a_supplier_with_no_share(tmp_path):
    """A supplier with no share (not local) and a locate with nothing placed: null, never NaN."""
    nobody = pd.DataFrame({"Supplier": ["Mystery Trading", "Nowhere Ltd"], "Amount": ["700.00", "10.00"]})
    located = lm3.locate(nobody, None, area="Bradford")  # in no register at all: nothing placed
    text = lm3.to_json(located)
    data = _strict(text)
    assert isinstance(data, dict) and data["local_share"] is None and "NaN" not in text


def test_warnings_carry_stable_codes():
    result = lm3.ingest(ROOT / "tests" / "data" / "ingest" / "total_row_does_not_reconcile.csv")
    codes = [w.code for w in result.warnings]
    assert "total-row-does-not-reconcile" in codes
    assert [w["code"] for w in result.to_dict()["warnings"]] == codes


def test_errors_carry_a_code_and_the_parameters_that_fix_them():
    with pytest.raises(lm3.InputError) as caught:
        lm3.Project(area="Bradford").calculate()
    assert caught.value.code == "missing-inputs" and caught.value.params == (
        "payments",
    )  # a register is not needed
    assert "--" not in str(caught.value)
    with pytest.raises(lm3.AreaError) as area:
        lm3.resolve_area("Bradfrod")
    assert area.value.code == "area-unknown" and area.value.params == ("area",)


def test_mypy_reports_no_errors():
    """The type checker runs over the package (settings in pyproject.toml)."""
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "lm3"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


# a value of each kind of option, other than any default, as lm3.toml writes it
_TOML_VALUES = {
    "payments": '"pay.csv"',
    "files": '["a.xlsx", "b.xlsx"]',
    "file": '"payroll.xlsx"',
    "folder": '"registers"',
    "text": '"Sheet 2"',
    "money": '"1000.00"',
}


def _toml_value(option: lm3.options.Option) -> str:
    if option.kind in _TOML_VALUES:
        return _TOML_VALUES[option.kind]
    if option.kind == "texts":
        if option.name == "exclude":  # checked when given: a rule lm3 understands
            return '["supplier_type=public body"]'
        return '["Bradford", "Leeds"]' if option.name == "area" else '["x=y"]'
    if option.kind == "choice":
        return f'"{option.choices[-1]}"'
    if option.kind == "flag":
        return "false" if option.default else "true"
    if option.kind in ("number", "whole"):
        return "0.95" if option.name == "level" else "3"
    raise AssertionError(f"no lm3.toml value for {option.name} ({option.kind})")


def test_the_study_options_are_declared_once_and_every_front_end_offers_each(tmp_path):
    """Each option declared in lm3.options is a keyword of calculate (locate: those of reading, placing
    and the area) with the declared default, a field of Project, a setting of lm3.toml, a flag of every
    command that computes a result, and a field of the web app (uploaded, chosen on the check page, the
    server's register store, or on the area page)."""
    declared = {o.name: o for o in lm3.options.declared()}
    runtime = {"directory", "progress"}  # how to run, not what to study
    calculate = inspect.signature(lm3.calculate).parameters
    assert set(calculate) - runtime == set(declared)
    for name, p in calculate.items():
        if name not in runtime and name not in ("payments", "area"):  # required in calculate
            assert p.default == declared[name].default, name
    locate = inspect.signature(lm3.locate).parameters
    assert set(locate) - runtime <= set(declared)
    assert {o.name for o in declared.values() if o.group in ("reading", "placing")} <= set(locate)
    for name, p in locate.items():
        if name not in runtime and p.default is not inspect.Parameter.empty:
            assert p.default == declared[name].default, name
    assert [f.name for f in dataclasses.fields(lm3.Project)] == list(declared)
    # lm3.toml: every option set to something other than its default
    lines, tables, inputs = [], [], []
    for o in declared.values():
        if o.group == "inputs":
            inputs.append(f"{o.name} = {_toml_value(o)}")
        elif o.kind == "pairs":
            pair = 'staff_share = "40%"' if o.name == "defaults" else 'supplier = "Vendor"'
            tables.append(f"[{o.name}]\n{pair}")
        else:
            lines.append(f"{o.name} = {_toml_value(o)}")
    (tmp_path / "lm3.toml").write_text(
        "\n".join([*lines, *tables, "[inputs]", *inputs]) + "\n", encoding="utf-8"
    )
    project = lm3.load_project(tmp_path)
    for o in declared.values():
        assert getattr(project, o.name) not in (None, o.default), o.name
    # the CLI: every computing command has each option's flag
    for path, command in _commands(cli):
        if path in COMPUTING_COMMANDS:
            names = {p.name for p in command.params}
            assert set(declared) <= names, (path, set(declared) - names)
    # the web app: each option has its place
    web_forms = pytest.importorskip("lm3.web.forms", reason="the web extra is not installed")
    from lm3.web.store import KINDS

    on_the_area_page = {f.name for f in web_forms.AreaForm.fields}
    elsewhere = set(KINDS) | {"columns", "register_columns", "sheet", "registers"}
    assert set(declared) <= on_the_area_page | elsewhere
    assert not on_the_area_page & elsewhere


def test_no_module_holds_more_than_one_idea_of_600_lines():
    """A module a maintainer can read whole: none in lm3/ over 600 lines (split by idea, as read/ is)."""
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


_ERROR_CLASSES = {"InputError", "AreaError", "MethodError", "RowErrors", "LM3Error"}
_ROW_CODE_HOMES = ("inputs/ingest/pipeline.py", "values/money.py")  # where rejected rows get their codes


def _codes_in_source() -> dict[str, set[str]]:
    """Each literal code lm3's source gives, by kind: a Notice's first argument, an error's ``code=``, an
    error class's own ``code``, and the codes of rows set aside (string literals in their homes)."""
    found: dict[str, set[str]] = {"warning": set(), "error": set(), "row": set()}
    for path in MODULES:
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name == "Notice" and node.args and isinstance(node.args[0], ast.Constant):
                    found["warning"].add(node.args[0].value)
                if name in _ERROR_CLASSES:
                    found["error"] |= {
                        k.value.value
                        for k in node.keywords
                        if k.arg == "code" and isinstance(k.value, ast.Constant)
                    }
            if isinstance(node, ast.ClassDef) and node.name in _ERROR_CLASSES:
                found["error"] |= {
                    s.value.value
                    for s in node.body
                    if isinstance(s, ast.Assign)
                    and isinstance(s.value, ast.Constant)
                    and any(getattr(t, "id", None) == "code" for t in s.targets)
                }
            if (
                rel in _ROW_CODE_HOMES
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"(?:amount|no-supplier)-[a-z-]+|heading-or-note", node.value)
            ):
                found["row"].add(node.value)
    return found


def test_every_code_given_is_catalogued_documented_and_none_is_stale():
    """Every warning and error code in lm3's source is in lm3.codes with its kind and meaning, and in
    docs/codes.md; every catalogued code is given somewhere (a code built from parts is named in full)."""
    catalogue = lm3.codes.CODES
    given = _codes_in_source()
    for kind, codes in given.items():
        for code in codes:
            assert code in catalogue, f"{code!r} ({kind}) is given but not in lm3/codes.py"
            assert catalogue[code].kind == kind, (code, catalogue[code].kind, kind)
    built = {"payments-redacted-supplier", "payments-without-supplier-name", "invalid-*"}  # from parts
    stale = set(catalogue) - set().union(*given.values()) - built
    assert stale == set(), f"catalogued but never given: {sorted(stale)}"
    assert all(c.meaning.endswith(".") and len(c.meaning) > 15 for c in catalogue.values())
    documented = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in documented for code in catalogue), "run tools/write_codes_doc.py"
    assert len(given["warning"]) >= 60 and len(given["error"]) >= 50  # the scan sees the source
