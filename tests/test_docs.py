"""The docs check: README.md and docs/*.md name only things that exist.

Every doc is scanned (prose, tables and code blocks) for what a reader would copy or look for:

- **files**: repository paths in backticks or Markdown links (`graph/people.py`,
  `openapi/bundle.schema.json`, `[…](../docs/auth.md)`) must exist, or be a git-ignored output
  (`var/neo4j`, `app/static/dashboard/`, `bench/results/`) or an output a script here writes; a path outside the repository
  (`/tmp/…`, a home folder) is never right in a doc;
- **routes**: `/v1/…`, `/oauth/…`, `/.well-known/…`, `/admin`, `/docs`, `/metrics`, … must be served
  by the app (path parameters match whatever their name; a trailing `…` matches a prefix);
- **settings**: every `ROLODEX_*` name must be a setting (`app/settings.py`, read with the
  `ROLODEX_` prefix) or be read somewhere in the code, Makefile or CI script;
- **commands**: `rolodex GROUP COMMAND --option` must exist in the CLI (with that option), and
  `make TARGET` in the Makefile.

A failure lists each dangling name with the doc and line that names it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import typer.main
from fastapi import FastAPI
from starlette.routing import Match

from app.cli import cli
from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```")
SETTING = re.compile(r"\bROLODEX_[A-Z0-9_]*[A-Z0-9]\b")
ROUTE = re.compile(
    r"(?<![\w.}/:-])(/(?:v1|oauth|\.well-known|admin|docs|metrics|healthz|readyz|openapi|schemas)[^\s`'\"),|;]*)"
)
COMMAND = re.compile(r"(?:^|[\s(`$=])(?:\.venv/bin/)?rolodex((?:\s+[^\s`|#;)]+)*)")
MAKE = re.compile(r"(?:^|[\s(`])make\s+([a-z][a-z-]*)")
FILE_SUFFIXES = (".py", ".md", ".json", ".mjs", ".js", ".toml", ".yaml", ".yml", ".css", ".html")
TOP_LEVEL = {path.name for path in ROOT.iterdir()}


@dataclass(frozen=True)
class Mention:
    doc: Path
    line: int
    text: str

    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}: {self.text}"


def lines_of(doc: Path) -> Iterator[tuple[int, str, bool]]:
    """Each line with its number and whether it sits inside a fenced code block."""
    fenced = False
    for number, line in enumerate(doc.read_text().splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        yield number, line, fenced


def spans(doc: Path) -> Iterator[tuple[int, str]]:
    """Code spans of prose lines, and whole lines of code blocks."""
    for number, line, fenced in lines_of(doc):
        if fenced:
            yield number, line
        else:
            for found in CODE_SPAN.finditer(line):
                yield number, found.group(1)


# ---- Files ---------------------------------------------------------------------------------------


def _looks_like_a_path(text: str) -> bool:
    if any(mark in text for mark in ("…", "{", "<", "*", "//", " ", "$", "=")):
        return False
    if text.startswith(("/", "-", "~")):
        return False
    first = text.split("/")[0]
    if "/" in text and first in TOP_LEVEL:
        return True
    return "/" not in text and text.endswith(FILE_SUFFIXES) and text in TOP_LEVEL


@cache
def ignored(path: str) -> bool:
    found = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, check=False)
    return found.returncode == 0


OUTSIDE = re.compile(r"(?<![\w.])/(?:tmp|home|work|Users|root|srv|opt)/[^\s`'\")]+")


def file_mentions() -> Iterator[tuple[Mention, Path]]:
    for doc in DOCS:
        for number, line, _ in lines_of(doc):
            for found in OUTSIDE.finditer(line):
                yield Mention(doc, number, found.group(0)), ROOT / "outside-the-repository"
        for number, text in spans(doc):
            for word in re.split(r"[\s,()]+", text):
                word = word.strip("`'\".:;")
                word = re.sub(r"::.*$", "", word)  # pytest node ids: path::test
                if _looks_like_a_path(word):
                    yield Mention(doc, number, word), ROOT / word
        for number, line, _ in lines_of(doc):
            for found in LINK.finditer(line):
                target = found.group(1).split("#")[0]
                if target and "://" not in target and not target.startswith("mailto:"):
                    yield Mention(doc, number, target), (doc.parent / target).resolve()


@cache
def written_by_code(relative: str) -> bool:
    """A generated output: a path some script in the repository writes (e.g. a bench chart)."""
    return any(
        relative in path.read_text(errors="replace")
        for folder in ("app", "bench", "graph", "portability", "dashboard")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".mjs") and "node_modules" not in path.parts
    )


def test_every_file_a_doc_names_exists() -> None:
    missing = [
        mention.where()
        for mention, path in file_mentions()
        if not path.exists()
        and not ignored(str(path.relative_to(ROOT)))
        and not written_by_code(str(path.relative_to(ROOT)))
    ]
    assert missing == []


# ---- Routes --------------------------------------------------------------------------------------


def _pattern(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", template.rstrip("/")) or "/"


@cache
def app() -> FastAPI:
    return create_app(Settings(migrate_on_startup=False))


@cache
def documented_routes() -> tuple[str, ...]:
    return tuple(_pattern(path) for path in app().openapi()["paths"])


def route_served(path: str) -> bool:
    """Whether the app routes `path` (any method; `{…}` stands for any value), or `path` is the
    prefix of documented routes (`/v1`, `/v1/metrics/…`, `/v1/calendar-feeds/{token}`)."""
    path = path.split("?")[0].split("#")[0].rstrip(".")
    prefix = _pattern(path.rstrip("…*"))
    if any(
        route.startswith(prefix) and route[len(prefix) : len(prefix) + 1] in ("/", ".")
        for route in documented_routes()
    ):
        return True  # a prefix naming a group of routes: `/v1`, `/v1/metrics/…`
    concrete = re.sub(r"\{[^}]*\}", "x", path)
    scope = {"type": "http", "path": concrete, "method": "GET", "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is not Match.NONE for route in app().router.routes)


def route_mentions() -> Iterator[Mention]:
    for doc in DOCS:
        for number, text in spans(doc):
            if "://" in text and "127.0.0.1" not in text and "localhost" not in text:
                continue
            for found in ROUTE.finditer(text):
                yield Mention(doc, number, found.group(1))


def test_every_route_a_doc_names_is_served() -> None:
    missing = [mention.where() for mention in route_mentions() if not route_served(mention.text)]
    assert missing == []


# ---- Settings ------------------------------------------------------------------------------------


@cache
def known_settings() -> frozenset[str]:
    names = {f"ROLODEX_{name.upper()}" for name in Settings.model_fields}
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        for choice in getattr(alias, "choices", ()):
            names.add(str(choice))
    code = [
        path
        for pattern in ("**/*.py", "**/*.mjs", "**/*.sh", "Makefile", ".ci/*", "compose.yaml")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts and "node_modules" not in path.parts and path.is_file()
    ]
    for path in code:
        if path.resolve() == Path(__file__).resolve():
            continue
        names.update(SETTING.findall(path.read_text(errors="replace")))
    return frozenset(names)


def test_every_setting_a_doc_names_exists() -> None:
    missing = [
        Mention(doc, number, name).where()
        for doc in DOCS
        for number, line, _ in lines_of(doc)
        for name in SETTING.findall(line)
        if name not in known_settings()
    ]
    assert missing == []


# ---- Commands ------------------------------------------------------------------------------------


def _options(command: object) -> set[str]:
    names = {"--help"}
    for param in getattr(command, "params", []):
        names.update(getattr(param, "opts", []))
        names.update(getattr(param, "secondary_opts", []))
    return names


def command_problem(words: list[str]) -> str | None:
    """Why `rolodex WORDS…` is not a command of the CLI, or None when it is."""
    node: object = typer.main.get_command(cli)
    path = ["rolodex"]
    for word in words:
        subcommands = getattr(node, "commands", None)
        if word.startswith("-") or subcommands is None:
            break
        choices = word.split("|")
        unknown = [choice for choice in choices if choice not in subcommands]
        if unknown:
            return f"no command `{' '.join([*path, unknown[0]])}`"
        node = subcommands[choices[0]]
        path.append(choices[0])
    if getattr(node, "commands", None) is not None and len(path) == 1:
        return "no command given"
    options = _options(node)
    for word in words:
        option = word.split("=")[0].strip("[]")
        if option.startswith("--") and option not in options:
            return f"`{' '.join(path)}` has no option {option}"
    return None


def command_mentions() -> Iterator[tuple[Mention, list[str]]]:
    for doc in DOCS:
        for number, text in spans(doc):
            for found in COMMAND.finditer(text):
                words = [w.strip("[]`") for w in found.group(1).split()]
                words = [w for w in words if w]
                if not words or words[0] in ("…", "...") or words[0].startswith("<"):
                    continue
                yield Mention(doc, number, f"rolodex {found.group(1).strip()}"), words


def test_every_rolodex_command_a_doc_names_exists() -> None:
    problems = [
        f"{mention.where()} ({problem})"
        for mention, words in command_mentions()
        if (problem := command_problem(words)) is not None
    ]
    assert problems == []


@cache
def make_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text()
    return frozenset(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))


def test_every_make_target_a_doc_names_exists() -> None:
    missing = [
        Mention(doc, number, f"make {target}").where()
        for doc in DOCS
        for number, text in spans(doc)
        for target in MAKE.findall(text)
        if target not in make_targets()
    ]
    assert missing == []


# ---- The check itself can fail -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["tokens", "issue", "--subject", "x"], None),
        (["neo4j", "start|stop|status"], None),
        (["tokens", "mint"], "no command `rolodex tokens mint`"),
        (["verify", "FILE", "--allow-anything"], "`rolodex verify` has no option --allow-anything"),
    ],
)
def test_the_command_check_tells_real_from_dangling(words: list[str], expected: str | None) -> None:
    assert command_problem(words) == expected


def test_the_route_and_file_checks_tell_real_from_dangling() -> None:
    assert route_served("/v1/people/{id}/contacts")
    assert route_served("/v1/metrics/…")
    assert route_served("/admin/assets/main.js")
    assert not route_served("/v1/peoples")
    assert not route_served("/v1/people/{id}/friends")
    assert not route_served("/v1/peo")
    assert _looks_like_a_path("graph/people.py")
    assert not (ROOT / "graph/peoples.py").exists()
    assert ignored("var/neo4j")
    assert not ignored("graph/peoples.py")
    assert "ROLODEX_PLATFORM_ID" in known_settings()
    assert "ROLODEX_NO_SUCH_SETTING" not in known_settings()
