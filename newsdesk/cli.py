"""Command line: a thin Typer layer over the Desk. Parsing and printing only.

Errors the user can fix (bad input, unknown id, unusable database) print one red line on
stderr and exit 1; usage errors exit 2 (Typer's convention). No command prints a
traceback unless NEWSDESK_DEBUG=1.
"""

from __future__ import annotations

import codecs
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsdesk import __version__
from newsdesk.brief.render import (
    RENDERERS,
    figure_change,
    figure_value,
    format_time,
    period_label,
)
from newsdesk.config import Settings
from newsdesk.desk import EMBED_BATCH, Desk
from newsdesk.errors import InputError, NewsdeskError
from newsdesk.ingest.dates import day_or_time
from newsdesk.models import Brief, IngestOutcome, SearchFilters, SearchHit, Story
from newsdesk.pipeline import default_workers
from newsdesk.store.sqlite import damage, damage_message, has_search_words

app = typer.Typer(
    help="newsdesk: raw news in, grounded and cited briefs out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Format(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"


class _State:
    db: Path | None = None


state = _State()

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", envvar="NEWSDESK_DB", help="SQLite database file (default: in the user data dir)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
# Past any desk's size and well inside SQLite's integers, even with a few added: a larger
# --limit means "all of them" (it was an OverflowError).
MOST = 2**31 - 1
MOST_WORKERS = 1024  # processes: far more than any machine has cores (and an OS allows)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the desk's errors into one actionable line and exit status 1."""
    try:
        yield
    except NewsdeskError as exc:
        err.print(f"[bold red]error:[/] {_esc(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None
    except sqlite3.DatabaseError as exc:  # the file opened, then a query met the damage
        if (reason := damage(exc)) is None:
            raise
        err.print(f"[bold red]error:[/] "
                  f"{_esc(damage_message(reason, str(_settings().db_path)))}", highlight=False)
        raise typer.Exit(1) from None


def _settings() -> Settings:
    return Settings.from_env(state.db)


def _dump(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str), highlight=False)


def _day(value: str | None, end: bool = False) -> datetime | None:
    """'2024-03-07' or a full ISO time; a bare day means its start (or end) in UTC."""
    if value is None:
        return None
    try:
        return day_or_time(value, end)
    except ValueError:
        raise InputError(
            f"cannot read the date '{value}': use YYYY-MM-DD or an ISO 8601 time"
        ) from None


@app.callback()
def _root(
    db: DbOption = None,
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    state.db = db
    if version:
        out.print(f"newsdesk {__version__}")
        raise typer.Exit()


@app.command()
def brief(
    ref: Annotated[str, typer.Argument(help="Article file, URL, '-' for stdin, or stored id.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.markdown
    ),
    as_json: JsonOption = False,
    save: Annotated[
        bool, typer.Option("--save", help="Store the article and its brief in the database.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    engine: Annotated[str | None, typer.Option(
        help="extractive | llm (default: NEWSDESK_ENGINE, the config file, extractive).")] = None,
) -> None:
    """Write a cited brief of one article."""
    with _errors(), Desk.open(_settings(), read_only=not save) as desk:
        result = desk.brief(ref, save=save, engine=engine)
        kind = "json" if as_json else fmt.value
        text = RENDERERS[kind](result)
        if output is not None:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot write {output}: {exc.strerror}") from None
            err.print(f"wrote {_esc(str(output))}", highlight=False)
        elif kind == "markdown" and out.is_terminal:
            from rich.markdown import Markdown

            out.print(Markdown(text))
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")


_STYLE = {
    "accepted": "green", "updated": "cyan", "duplicate": "yellow", "unchanged": "dim",
    "quarantined": "red",
}


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, URLs or '-'.")],
    as_json: JsonOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    briefs: Annotated[
        bool, typer.Option("--briefs", help="Also write and store a brief of each new article.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Processes for reading and analysis (default: one per CPU).", min=1,
                     max=MOST_WORKERS),
    ] = None,
    embed: Annotated[
        bool | None,
        typer.Option("--embed/--no-embed", help="Embed the new articles (as 'newsdesk "
                     "embed'). Default: when the desk already has vectors."),
    ] = None,
) -> None:
    """Read articles into the database; bad items are quarantined, the rest go on."""
    with _errors(), Desk.open(_settings()) as desk:
        units = desk.plan(paths)
        problems: list[IngestOutcome] = []
        show_bar = not as_json and err.is_terminal
        with Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[name]}"), TimeElapsedColumn(),
            console=err, disable=not show_bar, transient=True,
        ) as progress:
            task = progress.add_task("ingest", total=len(units), name="")

            def done(unit: Any, outcomes: list[IngestOutcome]) -> None:
                progress.update(task, advance=1, name=Path(unit.origin).name[-40:])
                problems.extend(o for o in outcomes if o.status == "quarantined")
                if not quiet and not as_json and not show_bar:
                    for o in outcomes:
                        note = ""
                        if o.duplicate_of and o.status == "duplicate":
                            note = f" (copy of {o.duplicate_of[:8]}" + (
                                f", {o.similarity:.0%} alike)" if o.similarity is not None
                                and o.similarity < 1 else ")")
                        err.print(f"[{_STYLE[o.status]}]{o.status:>11}[/] {_esc(o.origin)}{note}",
                                  highlight=False)

            report = desk.ingest(units, on_unit=done, briefs=briefs,
                                 workers=workers or default_workers())
        vectors: dict[str, Any] | None = None
        failed = None  # the articles are stored whatever happens to their vectors
        try:
            if embed or (embed is None and desk.keeps_vectors()):
                vectors = desk.embed()
        except NewsdeskError as exc:
            failed = str(exc)
        counts = {s: report.count(s) for s in _STYLE}
        if as_json:
            _dump({"database": str(desk.store.location), "counts": counts,
                   "outcomes": [o.model_dump(mode="json") for o in report.outcomes],
                   **({"embedding": vectors} if vectors else {}),
                   **({"embedding_error": failed} if failed else {})})
        else:
            table = Table(title=f"Ingested into {_esc(desk.store.location)}", show_edge=False)
            for status in _STYLE:
                table.add_column(status, justify="right", style=_STYLE[status])
            table.add_row(*(str(counts[s]) for s in _STYLE))
            out.print(table)
            if vectors:
                out.print(f"{_esc(vectors['model'])}: embedded {vectors['embedded']}, reused "
                          f"{vectors['reused']}", highlight=False)
            for o in problems:
                err.print(f"[red]quarantined[/] {_esc(o.origin)}: {_esc(o.reason or '')}",
                          highlight=False)
    if failed:
        err.print(f"[red]error[/]: the articles are stored, but embedding them failed: "
                  f"{_esc(failed)} (fix that, then run 'newsdesk embed')", highlight=False)
        raise typer.Exit(1)
    if report.outcomes and counts["quarantined"] == len(report.outcomes):
        raise typer.Exit(1)  # nothing usable at all: tell scripts


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Keywords; quotes for a phrase. '' lists newest.")],
    tag: Annotated[str | None, typer.Option(help="Tag id or label, e.g. 'Sanctions'.")] = None,
    source: Annotated[str | None, typer.Option(help="Outlet name (substring).")] = None,
    entity: Annotated[str | None, typer.Option(
        help="Country or bloc the article is about, e.g. 'Russia', 'EU'.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="Most results to show.", max=MOST, clamp=True)] = 10,
    mode: Annotated[str, typer.Option(
        help="hybrid (BM25 + vectors when embedded), bm25, or vector.")] = "hybrid",
    as_json: JsonOption = False,
) -> None:
    """Search stored articles: BM25 fused with vector similarity (RRF) once 'newsdesk
    embed' has run, keyword-only before; with filters."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        filters = SearchFilters(tag=tag, source=source, entity=entity, since=_day(since),
                                until=_day(until, end=True))
        hits = desk.search(query, filters, limit=limit, mode=mode)
    ranked = has_search_words(query)
    if not as_json and hits and not ranked:
        err.print("no words to search for: the newest articles"
                  + (" that pass the filters" if filters.active else "") + " come first")
    _print_hits(hits, as_json, ranked=ranked)


def _print_hits(hits: list[SearchHit], as_json: bool, ranked: bool = True) -> None:
    if as_json:
        _dump([h.model_dump(mode="json") for h in hits])
        return
    if not hits:
        err.print("no matching articles")
        return
    for h in hits:
        when = h.published_at.strftime("%Y-%m-%d") if h.published_at else "undated"
        out.print(f"[cyan]{h.article_id[:10]}[/]  {when}  {_esc(h.source or 'unknown source')}"
                  + (f"  [dim]score {h.score:g}[/]" if ranked else ""), highlight=False)
        out.print(f"  [bold]{_esc(h.title)}[/]", highlight=False)
        out.print("  " + _marked(h.snippet), highlight=False)
        if h.tags:
            out.print(f"  [dim]tags: {_esc(', '.join(h.tags[:5]))}[/]", highlight=False)
        out.print()


def _marked(snippet: str) -> str:
    """FTS snippets mark hits as **word**: show them bold, escape the rest."""
    parts = snippet.split("**")
    return "".join(f"[bold yellow]{_esc(p)}[/]" if i % 2 else _esc(p) for i, p in enumerate(parts))


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id or a unique prefix (>= 6).")],
    as_json: JsonOption = False,
) -> None:
    """An article's metadata, numbered sentences, tags and brief."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        view = desk.show(article_id)
    a, e = view.article, view.enrichment
    if as_json:
        _dump({
            "article": a.model_dump(mode="json"),
            "enrichment": e.model_dump(mode="json") if e else None,
            "brief": view.brief.model_dump(mode="json"),
        })
        return
    out.print(f"[bold]{_esc(a.title)}[/]")
    out.print(f"id {a.id} · {_esc(a.source or 'unknown source')} · "
              f"{format_time(a.published_at)} · {a.read_time_minutes} min read",
              highlight=False)
    if a.duplicate_of:
        out.print(f"[yellow]copy of {a.duplicate_of} (syndicated or lightly edited)[/]")
    if e and e.topics:
        out.print("tags: " + _esc(", ".join(f"{t.label} ({t.score:g})" for t in e.topics)))
    if e and e.entities:
        places = [x for x in e.entities if x.type in ("country", "bloc", "place")]
        named = [x for x in e.entities if x not in places]
        for label, group in (("entities", places), ("people/orgs", named)):
            if group:
                out.print(f"{label}: " + _esc(", ".join(f"{x.name} ({x.type}) ×{x.mentions}"
                                                        for x in group[:12])))
    if e and e.signals:
        out.print("risk signals: " + ", ".join(
            f"{x.kind.replace('_', ' ')} {x.sentences}" for x in e.signals
        ) + f" · tone {e.tone:+.2f}", highlight=False)
    if e and e.quotes:
        for q in e.quotes:
            who = f"{q.speaker}, {q.speaker_role}" if q.speaker_role else (q.speaker or "?")
            out.print(f"[dim]{q.kind} [{q.sentences[0]}][/] {_esc(who)}: “{_esc(q.text)}”",
                      highlight=False)
    out.print()
    for i, s in enumerate(a.sentences):
        out.print(f"[dim]{i:>3}[/] {_esc(s)}")
    out.print()
    from rich.markdown import Markdown

    out.print(Markdown(RENDERERS["markdown"](view.brief)))


@app.command()
def figures(
    subject: Annotated[str, typer.Option("--subject", "-s", help="What the figure measures, "
                                         "e.g. 'exports to Russia'.")],
    unit: Annotated[str | None, typer.Option(help="Only this unit: percent, USD, CNY ...")] = None,
    limit: Annotated[int, typer.Option(help="Most figures to list.", min=1, max=MOST)] = 200,
    as_json: JsonOption = False,
) -> None:
    """A figure series across stored articles, in date order."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        points = desk.figures(subject, unit=unit, limit=limit)
    if as_json:
        _dump([p.model_dump(mode="json") for p in points])
        return
    if not points:
        err.print(f"no stored figures about '{_esc(subject)}'")
        return
    table = Table(show_edge=False)
    for col in ("published", "subject", "figure", "value", "change", "period", "article"):
        table.add_column(col, overflow="fold")
    for p in points:
        f = p.figure
        table.add_row(
            p.published_at.strftime("%Y-%m-%d") if p.published_at else "",
            _esc(f.subject or ""), _esc(f.text), figure_value(f), figure_change(f),
            _esc(period_label(f.period)), f"{p.article_id[:10]}:{f.span.sentence}",
        )
    out.print(table)


@app.command()
def similar(
    article_id: Annotated[str, typer.Argument(help="Article id or a unique prefix (>= 6).")],
    limit: Annotated[int, typer.Option(help="Most articles to list.", max=MOST, clamp=True)
                     ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Articles most similar to a stored one (vectors; story or keywords without them)."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        how, hits = desk.similar(article_id, limit=limit)
    if not as_json:
        err.print(f"[dim]found by {how}[/]")
    _print_hits(hits, as_json)


@app.command()
def embed(
    batch: Annotated[int, typer.Option(help="Articles per embedding batch.", min=1, max=MOST)
                     ] = EMBED_BATCH,
    as_json: JsonOption = False,
) -> None:
    """Embed stored articles that have no vector yet (MiniLM when installed, else
    feature hashing; NEWSDESK_EMBEDDING_MODEL names another model directory, and
    NEWSDESK_EMBEDDING_PRECISION=float32 turns off bfloat16 on CPUs that have it)."""
    with _errors(), Desk.open(_settings()) as desk:
        missing = desk.store.stats()["articles"]
        show_bar = not as_json and err.is_terminal
        with Progress(
            TextColumn("[bold]embed"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err, disable=not show_bar, transient=True,
        ) as progress:
            task = progress.add_task("embed", total=missing)
            report = desk.embed(batch=batch,
                                on_batch=lambda n: progress.update(task, advance=n))
    if as_json:
        _dump(report)
    else:
        out.print(f"{_esc(report['model'])}: embedded {report['embedded']}, reused "
                  f"{report['reused']}, {report['total']} articles have vectors",
                  highlight=False)


@app.command()
def stories(
    limit: Annotated[int, typer.Option(help="Most stories to list.", max=MOST, clamp=True)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Stories (articles linked as they arrive), most recently active first."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        found = desk.stories(limit)
    if as_json:
        _dump([_story_summary(s) for s in found])
        return
    if not found:
        err.print("no stories yet: ingest some articles first")
        return
    table = Table(show_edge=False)
    for col in ("story", "first seen", "last seen", "articles", "label"):
        table.add_column(col, overflow="fold")
    for s in found:
        table.add_row(s.id[:10], _date(s.first_seen), _date(s.last_seen),
                      str(len(s.article_ids)), _esc(s.label))
    out.print(table)


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def _story_summary(s: Story) -> dict[str, Any]:
    return {"id": s.id, "label": s.label, "first_seen": s.first_seen, "last_seen": s.last_seen,
            "articles": len(s.article_ids), "article_ids": s.article_ids}


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="Story id or a unique prefix (>= 4).")],
    as_json: JsonOption = False,
) -> None:
    """A story's timeline (date, one line, key figure) and its figure series."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        view = desk.story(story_id)
    s = view.story
    if as_json:
        _dump({**s.model_dump(mode="json"),
               "series": {k: [p.model_dump(mode="json") for p in v]
                          for k, v in view.series.items()},
               "related_stories": [
                   {"id": r.id, "label": r.label, "articles": len(r.article_ids),
                    "first_seen": r.first_seen and r.first_seen.isoformat(),
                    "last_seen": r.last_seen and r.last_seen.isoformat()}
                   for r in view.related]})
        return
    out.print(f"[bold]{_esc(s.label)}[/]")
    out.print(f"story {s.id} · {len(s.article_ids)} articles · {_date(s.first_seen)} to "
              f"{_date(s.last_seen)}", highlight=False)
    for r in view.related:
        out.print(f"  related: {r.id} · {_esc(r.label)} · {len(r.article_ids)} articles · "
                  f"{_date(r.first_seen)} to {_date(r.last_seen)}", highlight=False)
    out.print()
    table = Table(show_edge=False, title="Timeline")
    for col in ("date", "article", "summary", "key figure"):
        table.add_column(col, overflow="fold")
    for e in s.timeline:
        f = e.figure
        table.add_row(_date(e.date), e.article_id[:10], _esc(e.summary),
                      _esc(f"{f.text} ({f.subject})" if f and f.subject else f.text if f else ""))
    out.print(table)
    if not view.series:
        out.print("\n[dim]no figure recurs across the story's articles[/]")
        return
    for subject, points in view.series.items():
        out.print()
        table = Table(show_edge=False, title=f"Figure series: {_esc(subject)}")
        for col in ("published", "figure", "value", "change", "period", "article"):
            table.add_column(col, overflow="fold")
        for p in points:
            f = p.figure
            table.add_row(_date(p.published_at), _esc(f.text), figure_value(f),
                          figure_change(f), _esc(period_label(f.period)),
                          f"{p.article_id[:10]}:{f.span.sentence}")
        out.print(table)


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(
        help="A brief as JSON (newsdesk brief --json), or '-' for stdin.")],
    as_json: JsonOption = False,
) -> None:
    """Check every sentence of a brief against the stored sentences it cites.

    Exit status 0 when everything is supported, 1 when something is not (listed)."""
    with _errors():
        brief = _read_brief(path)
        with Desk.open(_settings(), read_only=True) as desk:
            checked = desk.verify(brief)
    report = checked.verification
    if as_json:
        _dump(report.model_dump(mode="json"))
    else:
        out.print(f"checked {report.checked}, supported {report.passed}, "
                  f"unsupported {len(report.dropped)}", highlight=False)
        for d in report.dropped:
            out.print(f"[red]✗[/] {d.section}: “{_esc(d.text)}” — {_esc(d.reason)}",
                      highlight=False)
    if report.dropped:
        raise typer.Exit(1)


def _read_brief(path: Path) -> Brief:
    """The brief in a file, or on standard input for '-' (as 'brief -' reads an article,
    so 'newsdesk brief --json x | newsdesk verify -' needs no file in between)."""
    name = "standard input" if str(path) == "-" else str(path)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        return Brief.model_validate_json(data.removeprefix(codecs.BOM_UTF8))
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise InputError(f"{name} is not a newsdesk brief: {where}: {first['msg']}") from None


@app.command()
def schema(as_json: JsonOption = True) -> None:
    """JSON Schema of every record (Article, Enrichment, Brief, ...); always JSON."""
    _dump(Desk.schema())


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Counts of articles, duplicates, briefs and quarantined items."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        data = desk.stats()
    if as_json:
        _dump(data)
    else:
        for k, v in data.items():
            out.print(f"{k:>12}  {_esc(str(v))}", highlight=False)


# watch, sources, alerts and quarantine (list | retry): the live desk's commands.
from newsdesk.cli_live import register as register_live  # noqa: E402 - needs the helpers

register_live(app)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
) -> None:
    """Web pages and the REST API (/api/v1, docs at /api/v1/docs). Beyond loopback,
    NEWSDESK_API_TOKEN must be set: ingest and regenerate then require it."""
    from newsdesk.web.serve import run  # the web stack loads only for this command

    with _errors():
        run(_settings(), host, port)


def main() -> None:
    """Console entry point: no traceback ever reaches the user unless asked for."""
    try:
        app(prog_name="newsdesk")
    except NewsdeskError as exc:  # raised outside a command body (should be rare)
        err.print(f"[bold red]error:[/] {_esc(str(exc))}", highlight=False)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last line of defence
        if os.environ.get("NEWSDESK_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {_esc(str(exc))} "
            "(set NEWSDESK_DEBUG=1 for a traceback and please report it)",
            highlight=False,
        )
        sys.exit(70)

