"""Command line of the live desk: `watch`, `sources`, `alerts`, `quarantine`.

Registered on the main Typer app by newsdesk/cli.py; parsing and printing only, the work
is in newsdesk/live/.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from newsdesk.cli import MOST, MOST_WORKERS, JsonOption, _dump, _errors, _esc, _settings, err, out
from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.live.atom import alerts_atom
from newsdesk.live.config import (
    NEEDS_VALUE,
    LiveConfig,
    Webhook,
    check_rules,
    check_source,
    check_web_url,
    load_config,
    locked,
    save_config,
)
from newsdesk.live.logs import json_logging
from newsdesk.models import AlertEvent, AlertRule, LiveSource, SourceStatus, WatchReport
from newsdesk.pipeline import default_workers
from newsdesk.store.journal import Journal
from newsdesk.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from newsdesk.live.watch import Watcher

# The network stack (httpx, feedparser: the watcher and its fetcher) is imported by the
# commands that poll, not here: every other command would pay for it at start-up.

sources_app = typer.Typer(help="Feeds, pages, sitemaps and folders the desk watches.",
                          no_args_is_help=True)
alerts_app = typer.Typer(help="Watchlists: what to be alerted about, and where.",
                         no_args_is_help=True)
quarantine_app = typer.Typer(
    help="What could not be ingested, and why; retry it.", invoke_without_command=True)


def _config_path() -> Path:
    return _settings().live_config_path


def _journal(desk: Desk) -> Journal:
    assert isinstance(desk.store, SQLiteStore)
    return Journal(desk.store)


# --- watch ----------------------------------------------------------------------------


def watch(
    once: Annotated[bool, typer.Option("--once", help="One pass over every source, then "
                                       "exit (for cron).")] = False,
    workers: Annotated[int | None, typer.Option(help="Processes for analysis.", min=1,
                                                max=MOST_WORKERS)] = None,
    log_file: Annotated[Path | None, typer.Option("--log-file",
                                                  help="Append JSON-lines logs here.")] = None,
    json_logs: Annotated[bool, typer.Option("--json-logs", help="JSON-lines logs on stderr "
                                            "(the default when stderr is not a terminal).")
                         ] = False,
    as_json: JsonOption = False,
) -> None:
    """Poll the configured sources; ingest, analyse, assign stories, write briefs and
    alerts as articles arrive. Ctrl-C stops after the step in progress."""
    with _errors():
        config = load_config(_config_path())
        if not config.sources:
            raise InputError(f"no sources in {_config_path()}: add one with "
                             "'newsdesk sources add NAME URL'")
        live_view = not once and err.is_terminal and not json_logs
        from newsdesk.live.fetch import Fetcher
        from newsdesk.live.watch import Watcher

        handlers = json_logging(
            sys.stderr if (json_logs or (not err.is_terminal and not once)) else None,
            log_file)
        try:
            with Desk.open(_settings()) as desk, Fetcher(
                    max_bytes=desk.settings.max_bytes) as fetcher:
                watcher = Watcher(desk, config, fetcher, workers=workers or default_workers())
                watcher.alerts.sink = _print_alert
                if once:
                    report = watcher.run_once()
                    _print_report(report, as_json)
                    if report.poll_errors and report.poll_errors == report.polled:
                        raise typer.Exit(1)
                    return
                _forever(watcher, live_view)
        finally:
            for h in handlers:
                logging.getLogger("newsdesk").removeHandler(h)


def _forever(watcher: Watcher, live_view: bool) -> None:
    stopping = {"now": False}

    def stop(*_: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not live_view:
        watcher.run_forever(lambda: stopping["now"])
        return
    from rich.live import Live

    with Live(_status_table(watcher), console=err, refresh_per_second=2) as live:
        watcher.on_change = lambda: live.update(_status_table(watcher))
        watcher.run_forever(lambda: stopping["now"])
    err.print("[yellow]stopped[/]")


def _status_table(watcher: Watcher) -> Table:
    table = Table(title=f"newsdesk watch — {datetime.now(UTC):%H:%M:%S} UTC", show_edge=False)
    for col in ("source", "kind", "state", "last poll", "next poll", "new", "accepted",
                "error"):
        table.add_column(col)
    for v in watcher.views.values():
        table.add_row(_esc(v.name), v.kind, v.state,
                      f"{v.last_poll:%H:%M:%S}" if v.last_poll else "-",
                      f"{v.next_poll:%H:%M:%S}" if v.next_poll else "-",
                      str(v.new_items), str(v.accepted), _esc((v.error or "")[:60]))
    return table


def _print_alert(event: AlertEvent) -> None:
    cites = ", ".join(a.id[:12] for a in event.articles)
    out.print(f"[bold magenta]alert[/] {_esc(event.title)} [dim]({cites})[/]", highlight=False)


def _print_report(report: WatchReport, as_json: bool) -> None:
    data = report.model_dump()
    if as_json:
        _dump(data)
        return
    table = Table(title="watch --once", show_edge=False)
    for key in data:
        table.add_column(key.replace("_", " "), justify="right")
    table.add_row(*(str(v) for v in data.values()))
    out.print(table)


# --- sources --------------------------------------------------------------------------


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="A short unique name.")],
    target: Annotated[str, typer.Argument(help="URL (feed, page, sitemap) or folder path.")],
    kind: Annotated[str, typer.Option(help="feed | page | sitemap | folder (default: folder "
                                      "for a path, else feed).")] = "",
    interval: Annotated[int, typer.Option(help="Seconds between polls.", min=5)] = 600,
    local: Annotated[bool, typer.Option("--local", help="Allow a loopback/private address "
                                        "(a feed on this machine or network).")] = False,
    rate: Annotated[float, typer.Option(help="Requests per second to its host.")] = 1.0,
    fetch_pages: Annotated[str, typer.Option(help="auto | always | never.")] = "auto",
) -> None:
    """Add a source to the live config."""
    with _errors(), locked(_config_path()) as path:
        config = load_config(path)
        if config.source(name):
            raise InputError(f"a source named '{name}' exists; remove it first")
        if not name.strip() or not target.strip():
            raise InputError("a source needs a name and a target (a feed, page or sitemap "
                             "URL, or a folder), e.g. 'newsdesk sources add wire "
                             "https://example.com/rss'")
        is_web = target.lower().startswith(("http://", "https://"))
        if "://" in target and not is_web:
            raise InputError(f"'{target}' is not an http(s) URL; for a folder give its path")
        kind = kind or ("feed" if is_web else "folder")
        if kind == "folder" and not Path(target).expanduser().is_dir():
            raise InputError(f"folder source '{name}': {target} is not a folder")
        try:
            source = LiveSource.model_validate({
                "name": name, "kind": kind, "interval": interval, "local": local, "rate": rate,
                "fetch_pages": fetch_pages,
                **({"path": str(Path(target).expanduser().resolve())} if kind == "folder"
                   else {"url": target})})
        except ValueError as exc:
            raise InputError(f"bad source: {_first_error(exc)}") from None
        check_source(source)
        if source.url:
            check_web_url(source.url, f"{kind} source '{name}':")
        config.sources.append(source)
        save_config(path, config)
    err.print(f"added {kind} source '{_esc(name)}' to {_esc(str(path))}", highlight=False)


@sources_app.command("list")
def sources_list(as_json: JsonOption = False) -> None:
    """Configured sources with their last poll, error and item counts."""
    with _errors():
        config = load_config(_config_path())
        with Desk.open(_settings(), read_only=True) as desk:
            rows = _source_status(desk, config) if isinstance(desk.store, SQLiteStore) else []
    if as_json:
        _dump([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        err.print(f"no sources in {_esc(str(_config_path()))}")
        return
    table = Table(show_edge=False)
    for col in ("name", "kind", "target", "every", "last poll", "status", "items", "pending",
                "failed"):
        table.add_column(col)
    for r in rows:
        table.add_row(_esc(r.source.name), r.source.kind, _esc(r.source.target),
                      f"{r.source.interval}s",
                      f"{r.last_poll:%Y-%m-%d %H:%M}" if r.last_poll else "-",
                      _esc(r.last_error or r.last_status or "-"), str(r.items), str(r.pending),
                      str(r.failed))
    out.print(table)


def _source_status(desk: Desk, config: LiveConfig) -> list[SourceStatus]:
    journal = _journal(desk)
    counts = journal.counts()
    rows = []
    for s in config.sources:
        st = journal.source_state(s.name)
        c = counts.get(s.name, {})
        rows.append(SourceStatus(
            source=s, items=sum(c.values()), pending=c.get("pending", 0),
            failed=c.get("failed", 0), last_status=st.get("last_status"),
            last_error=st.get("last_error"),
            last_poll=datetime.fromisoformat(st["last_poll"]) if st.get("last_poll") else None,
            next_poll=datetime.fromisoformat(st["next_poll"]) if st.get("next_poll") else None))
    return rows


@sources_app.command("remove")
def sources_remove(name: Annotated[str, typer.Argument(help="The source's name.")]) -> None:
    """Remove a source (its articles stay in the desk)."""
    with _errors(), locked(_config_path()) as path:
        config = load_config(path)
        if not config.source(name):
            raise InputError(f"no source named '{name}' in {path} (see 'newsdesk sources list')")
        config.sources = [s for s in config.sources if s.name != name]
        save_config(path, config)
    err.print(f"removed source '{_esc(name)}'")


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


# --- alerts ---------------------------------------------------------------------------


@alerts_app.command("add")
def alerts_add(
    name: Annotated[str, typer.Argument(help="A short unique name.")],
    kind: Annotated[str, typer.Option(help="tag | entity | keyword | figure | new_story | "
                                      "spike.")],
    value: Annotated[str | None, typer.Option(help="The tag, entity or keyword.")] = None,
    subject: Annotated[str | None, typer.Option(help="figure: what it measures, e.g. "
                                                "'exports to Russia'.")] = None,
    below: Annotated[float | None, typer.Option(help="figure: fire below this value.")] = None,
    above: Annotated[float | None, typer.Option(help="figure: fire above this value.")] = None,
    figure_kind: Annotated[str, typer.Option(help="figure: change | level | share | any.")
                           ] = "change",
    factor: Annotated[float, typer.Option(help="spike: times the trailing mean.")] = 2.0,
    days: Annotated[int, typer.Option(help="spike: trailing days.")] = 7,
    min_count: Annotated[int, typer.Option(help="spike: at least this many today.")] = 3,
) -> None:
    """Add a watchlist rule to the live config."""
    with _errors(), locked(_config_path()) as path:
        config = load_config(path)
        if any(a.name == name for a in config.alerts):
            raise InputError(f"an alert named '{name}' exists; remove it first")
        if not name.strip():
            raise InputError("an alert needs a name, e.g. 'newsdesk alerts add sanctions "
                             "--kind tag --value Sanctions'")
        try:
            rule = AlertRule.model_validate({
                "name": name, "kind": kind, "value": value, "subject": subject,
                "below": below, "above": above, "figure_kind": figure_kind, "factor": factor,
                "days": days, "min_count": min_count})
        except ValueError as exc:
            raise InputError(f"bad alert: {_first_error(exc)}") from None
        if kind in NEEDS_VALUE and not (value or "").strip():
            raise InputError(f"a {kind} alert needs --value")
        if kind == "figure" and (not subject or (below is None and above is None)):
            raise InputError("a figure alert needs --subject and --below and/or --above")
        config.alerts.append(rule)
        save_config(path, config)
    err.print(f"added {kind} alert '{_esc(name)}' to {_esc(str(path))}", highlight=False)


@alerts_app.command("list")
def alerts_list(
    fired: Annotated[bool, typer.Option("--fired", help="The alerts that fired, newest "
                                        "first, instead of the rules.")] = False,
    limit: Annotated[int, typer.Option(help="Most fired alerts to list.", max=MOST,
                                       clamp=True)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The rules (and webhooks), or with --fired the alerts they raised."""
    with _errors():
        config = load_config(_config_path())
        events: list[AlertEvent] = []
        if fired:
            with Desk.open(_settings(), read_only=True) as desk:
                if isinstance(desk.store, SQLiteStore) and desk.store.location != ":memory:":
                    events = _journal(desk).events(limit)
    if fired:
        if as_json:
            _dump([e.model_dump(mode="json") for e in events])
        for e in [] if as_json else events:
            cites = ", ".join(a.id[:12] for a in e.articles)
            out.print(f"#{e.id} {e.created_at:%Y-%m-%d %H:%M} {_esc(e.title)} [dim]({cites})[/]",
                      highlight=False)
        return
    if as_json:
        _dump({"alerts": [a.model_dump(exclude_none=True) for a in config.alerts],
               "webhooks": [w.model_dump() for w in config.webhooks]})
        return
    if not config.alerts:
        err.print(f"no alerts in {_esc(str(_config_path()))}")
    for a in config.alerts:
        what = {k: v for k, v in a.model_dump(exclude_none=True).items()
                if k not in ("name", "kind")}
        out.print(f"{_esc(a.name)} [bold]{a.kind}[/] {_esc(str(what))}", highlight=False)
    for w in config.webhooks:
        out.print(f"webhook {_esc(w.url)}" + (" (local)" if w.local else ""), highlight=False)


@alerts_app.command("remove")
def alerts_remove(name: Annotated[str, typer.Argument(help="The rule's name.")]) -> None:
    """Remove a watchlist rule (alerts it raised stay in the feed)."""
    with _errors(), locked(_config_path()) as path:
        config = load_config(path)
        if not any(a.name == name for a in config.alerts):
            raise InputError(f"no alert named '{name}' in {path} (see 'newsdesk alerts list')")
        config.alerts = [a for a in config.alerts if a.name != name]
        save_config(path, config)
    err.print(f"removed alert '{_esc(name)}'")


@alerts_app.command("webhook")
def alerts_webhook(
    url: Annotated[str, typer.Argument(help="Where to POST each alert as JSON.")],
    local: Annotated[bool, typer.Option("--local", help="Allow a loopback/private "
                                        "address.")] = False,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Only these rules "
                                                   "(repeat); default all.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove this webhook.")] = False,
) -> None:
    """Add (or --remove) a webhook that receives every alert once."""
    with _errors(), locked(_config_path()) as path:
        config = load_config(path)
        if remove and not any(w.url == url for w in config.webhooks):
            raise InputError(f"no webhook {url} in {path} (see 'newsdesk alerts list')")
        config.webhooks = [w for w in config.webhooks if w.url != url]
        if not remove:
            check_web_url(url, "webhook URL")
            check_rules(rule or [], config, path)
            config.webhooks.append(Webhook(url=url, local=local, rules=rule or []))
        save_config(path, config)
    err.print(("removed" if remove else "added") + f" webhook {_esc(url)}", highlight=False)


@alerts_app.command("feed")
def alerts_feed(limit: Annotated[int, typer.Option(help="Most alerts in the feed.", max=MOST,
                                                   clamp=True)] = 100
                ) -> None:
    """Print the alerts as an Atom feed."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        sys.stdout.write(alerts_atom(desk.store, limit) + "\n")


# --- quarantine -----------------------------------------------------------------------


@quarantine_app.callback()
def quarantine_default(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Most items to list.", max=MOST, clamp=True)] = 50,
    show_all: Annotated[bool, typer.Option("--all", help="Also resolved items.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Items that could not be ingested, newest first, with the reason (same as list)."""
    if ctx.invoked_subcommand is None:
        quarantine_list(limit, show_all, as_json)


@quarantine_app.command("list")
def quarantine_list(
    limit: Annotated[int, typer.Option(help="Most items to list.", max=MOST, clamp=True)] = 50,
    show_all: Annotated[bool, typer.Option("--all", help="Also resolved items.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Open quarantine items, newest first: reason, attempts, next automatic retry."""
    with _errors(), Desk.open(_settings(), read_only=True) as desk:
        items = _journal(desk).open_quarantine(limit, include_resolved=show_all)
    if as_json:
        _dump([i.model_dump(mode="json") for i in items])
        return
    if not items:
        err.print("quarantine is empty")
    for i in items:
        retry = (f" [dim](attempt {i.attempts}, retry after {i.next_retry:%Y-%m-%d %H:%M})[/]"
                 if i.next_retry else f" [dim](attempt {i.attempts})[/]" if i.attempts else "")
        done = " [green]resolved[/]" if i.resolved_at else ""
        out.print(f"[red]#{i.id}[/] {i.created_at:%Y-%m-%d %H:%M} {_esc(i.origin)}: "
                  f"{_esc(i.reason)}{retry}{done}", highlight=False)


@quarantine_app.command("retry")
def quarantine_retry(
    ids: Annotated[list[int] | None, typer.Argument(max=MOST, help="Quarantine ids (default: all "
                                                    "open).")] = None,
    due: Annotated[bool, typer.Option("--due", help="Only those whose backoff has "
                                      "passed.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Ingest quarantined items again; what succeeds leaves the quarantine."""
    with _errors():
        config = load_config(_config_path())
        from newsdesk.live.fetch import Fetcher
        from newsdesk.live.retry import retry_quarantine
        from newsdesk.live.watch import Watcher

        with Desk.open(_settings()) as desk, Fetcher(max_bytes=desk.settings.max_bytes
                                                     ) as fetcher:
            watcher = Watcher(desk, config, fetcher, workers=1)
            report = retry_quarantine(watcher, ids, due_only=due)
    data = {"tried": report.tried, "resolved": report.resolved, "failed": report.failed,
            "skipped": [{"id": i, "reason": r} for i, r in report.skipped]}
    if as_json:
        _dump(data)
    else:
        out.print(f"retried {report.tried}: {len(report.resolved)} resolved, "
                  f"{len(report.failed)} failed again", highlight=False)
        for i, why in report.skipped:
            err.print(f"#{i} skipped: {_esc(why)}", highlight=False)
    if (report.tried or report.skipped) and not report.resolved:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(watch)
    app.add_typer(sources_app, name="sources")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(quarantine_app, name="quarantine")
