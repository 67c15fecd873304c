"""Static security checks: bandit, and our own semgrep rules in security/semgrep/.

Both tools run from the virtualenv and never reach the network (no registry rule
packs, no metrics, no version check). The rules first prove themselves on their
annotated examples, then must find nothing in masthead/ and the templates. A false
positive is allowed where it stands, with its reason:
`# nosemgrep: <rule-id> -- why` on the line above, `# nosec B### # why` on the line.
"""

import ast
import json
import os
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest
import yaml

from .processes import ROOT

BIN = Path(sys.executable).parent
RULES = ROOT / "security" / "semgrep"
SCANNED = ["masthead", "templates"]
NOT_SCANNED = ["tests", "migrations"]  # directory names, as bandit's exclude_dirs
# Seconds: a wedged scanner fails the test instead of hanging the suite.
SCANNER_TIMEOUT = 300

NOSEMGREP = re.compile(
    r"nosemgrep\b(?::\s*(?P<ids>[\w.,\s-]*?))?(?:\s+--\s+(?P<why>.*))?$"
)
NOSEC = re.compile(r"#\s*nosec\b:?(?P<ids>[^#]*)(?:#\s*(?P<why>.*))?$")


def rule_ids() -> dict[str, Path]:
    """Every rule id in security/semgrep, with the file that holds it."""
    ids = {}
    for path in sorted(RULES.glob("*.yml")):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            assert rule["id"] not in ids, f"rule id {rule['id']} is used twice"
            ids[rule["id"]] = path
    return ids


def run_semgrep(*args: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        # Its settings and log go to the test's folder, not the user's home.
        "SEMGREP_SETTINGS_FILE": str(tmp_path / "semgrep-settings.yml"),
        "SEMGREP_LOG_FILE": str(tmp_path / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(tmp_path / "semgrep-version"),
    }
    result = subprocess.run(
        [
            str(BIN / "semgrep"),
            *args,
            "--json",
            "--metrics=off",
            "--disable-version-check",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCANNER_TIMEOUT,
        check=False,
    )
    try:
        return json.loads(result.stdout)
    except ValueError:
        pytest.fail(
            f"semgrep gave no JSON (exit {result.returncode}):\n{result.stderr}"
        )


def source_line(path: str, line: int) -> str:
    return (ROOT / path).read_text().splitlines()[line - 1].strip()


def test_every_rule_has_bad_and_good_examples():
    for rule_id, path in rule_ids().items():
        examples = [p for p in path.parent.glob(f"{path.stem}.*") if p.suffix != ".yml"]
        text = "\n".join(p.read_text() for p in examples)
        assert re.search(rf"\bruleid:.*\b{re.escape(rule_id)}\b", text), (
            f"{path.name}: no `ruleid: {rule_id}` example"
        )
        assert re.search(rf"\bok:.*\b{re.escape(rule_id)}\b", text), (
            f"{path.name}: no `ok: {rule_id}` example"
        )


def test_semgrep_rules_catch_their_bad_examples_and_pass_their_good_ones(tmp_path):
    report = run_semgrep("--test", str(RULES.relative_to(ROOT)), tmp_path=tmp_path)

    assert report["config_missing_tests"] == []
    assert report["config_with_errors"] == []
    checks = {
        rule_id: check
        for config in report["results"].values()
        for rule_id, check in config["checks"].items()
    }
    assert set(checks) == set(rule_ids())
    failures = [
        f"{rule_id}: expected lines {m['expected_lines']}, "
        f"found {m['reported_lines']} in {Path(target).name} {check['errors'] or ''}"
        for rule_id, check in checks.items()
        if not check["passed"]
        for target, m in check["matches"].items()
    ]
    assert not failures, "\n".join(failures)
    for rule_id, check in checks.items():
        expected = [m["expected_lines"] for m in check["matches"].values()]
        assert any(expected), f"{rule_id} proves it catches nothing"


def test_semgrep_rules_find_nothing_in_the_code_and_templates(tmp_path):
    excludes = [f"--exclude={name}" for name in NOT_SCANNED]
    report = run_semgrep(
        "scan",
        "--config",
        str(RULES.relative_to(ROOT)),
        "--error",
        *excludes,
        *SCANNED,
        tmp_path=tmp_path,
    )

    assert report["errors"] == []
    scanned = set(report["paths"]["scanned"])
    # The rules reached the Python code and both kinds of template.
    assert "masthead/comments/templatetags/comments_tags.py" in scanned
    assert "templates/comments/comment.html" in scanned
    assert not any("/tests/" in path or "/migrations/" in path for path in scanned)
    findings = [
        f"{r['path']}:{r['start']['line']}: {r['check_id'].rsplit('.', 1)[-1]}\n"
        f"    {source_line(r['path'], r['start']['line'])}\n"
        f"    {r['extra']['message']}"
        for r in report["results"]
    ]
    assert not findings, "semgrep found:\n" + "\n".join(findings)


def test_mail_to_an_smtp_server_has_a_timeout():
    # Django's SMTP backend (and the newsletter's, which extends it) reads
    # EMAIL_TIMEOUT: a setting, which the semgrep rules cannot see.
    from masthead.settings import base

    assert isinstance(base.EMAIL_TIMEOUT, int)
    assert 0 < base.EMAIL_TIMEOUT <= 60


def test_bandit_finds_nothing():
    result = subprocess.run(
        [
            str(BIN / "bandit"),
            "--configfile",
            "pyproject.toml",
            "--recursive",
            "--format",
            "json",
            "--quiet",
            "masthead",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SCANNER_TIMEOUT,
        check=False,
    )
    report = json.loads(result.stdout)

    assert report["errors"] == []
    scanned = set(report["metrics"]) - {"_totals"}
    assert "masthead/comments/spam.py" in scanned
    assert not any("/tests/" in path or "/migrations/" in path for path in scanned)
    findings = [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} "
        f"({r['issue_severity']}) {r['issue_text']}\n    {r['code'].strip()}"
        for r in report["results"]
    ]
    assert not findings, "bandit found:\n" + "\n".join(findings)
    assert result.returncode == 0, result.stderr


def test_bandit_configuration_skips_no_check():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["bandit"]

    # Paths may be left out; checks may not (a false positive gets its own nosec).
    assert set(config) == {"exclude_dirs"}
    assert sorted(config["exclude_dirs"]) == ["*/migrations/*", "*/tests/*"]


def _comments(path: Path):
    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string


def _statement_starts(tree: ast.AST) -> dict[int, int]:
    """For each line, the first line of the innermost statement holding it."""
    starts: dict[int, int] = {}
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    # Outer statements first, so inner ones overwrite the lines they hold.
    for node in sorted(statements, key=lambda n: (n.lineno, -n.end_lineno)):
        for line in range(node.lineno, node.end_lineno + 1):
            starts[line] = node.lineno
    return starts


def _is_comment(lines: list[str], line: int) -> bool:
    return line >= 1 and lines[line - 1].lstrip().startswith("#")


def suppression_problems(path: Path, known_rules: set[str]) -> list[str]:
    """What is wrong with the nosemgrep and nosec comments of one Python file."""
    source = path.read_text()
    lines = source.splitlines()
    starts = _statement_starts(ast.parse(source))
    problems = []
    for line, comment in _comments(path):
        where = f"{path.name}:{line}"
        if "nosemgrep" in comment:
            match = NOSEMGREP.search(comment)
            ids = set(re.split(r"[\s,]+", (match and match["ids"]) or "")) - {""}
            if not ids or not ids <= known_rules:
                problems.append(f"{where}: name our rule ids, not {ids or 'none'}")
            if not (match and match["why"]):
                problems.append(f"{where}: say why after ` -- `")
        if re.search(r"#\s*nosec\b", comment):
            match = NOSEC.search(comment)
            ids = set(re.split(r"[\s,]+", match["ids"].strip())) - {""}
            if not ids or not all(re.fullmatch(r"B\d{3}", i) for i in ids):
                problems.append(f"{where}: name the bandit checks (B###)")
            said_why = (
                match["why"]
                or _is_comment(lines, line - 1)
                or _is_comment(lines, starts.get(line, line) - 1)
            )
            if not said_why:
                problems.append(f"{where}: say why, after `#` or just above")
    return problems


def test_a_blanket_or_unexplained_suppression_is_caught(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import pickle  # nosec\n"
        "import subprocess  # nosec B404\n"
        "# nosemgrep\n"
        "x = 1\n"
        "# nosemgrep: no-such-rule -- because\n"
        "y = 2\n"
        "# nosemgrep: eval-or-exec\n"
        "z = 3\n"
        "# Our own argv, never a shell.\n"
        "subprocess.run(['ls'])  # nosec B603\n"
        "# nosemgrep: eval-or-exec -- a reason\n"
        "w = pickle.loads(b'')  # nosec B301 # a reason too\n"
    )

    assert suppression_problems(sample, set(rule_ids())) == [
        "sample.py:1: name the bandit checks (B###)",
        "sample.py:1: say why, after `#` or just above",
        "sample.py:2: say why, after `#` or just above",
        "sample.py:3: name our rule ids, not none",
        "sample.py:3: say why after ` -- `",
        "sample.py:5: name our rule ids, not {'no-such-rule'}",
        "sample.py:7: say why after ` -- `",
    ]


def test_every_suppression_names_its_check_and_says_why():
    known_rules = set(rule_ids())
    problems = []
    for path in sorted((ROOT / "masthead").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not set(NOT_SCANNED) & set(relative.parts):
            problems += [
                f"{relative.parent}/{problem}"
                for problem in suppression_problems(path, known_rules)
            ]
    assert not problems, "\n".join(problems)
