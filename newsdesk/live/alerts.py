"""Alerts: watchlist rules evaluated on each new article, delivered once per channel.

Rules (newsdesk/models.py AlertRule) look at what the analysis stored: tags, entities,
figures, the article's story; keywords look at the text. A rule fires once per key (the
article, the story, or the tag and day for a volume spike): `alert_events` is unique on
(rule, key), so a re-run, a restart or a re-ingested article never fires twice. Each
event is queued for every channel (the log/stdout, each matching webhook) and marked
delivered there once it went out; the Atom feed is read from the events themselves.
Delivery is at least once: a crash between sending and marking sends that one again
(webhook receivers get the event id to de-duplicate on).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.live.config import LiveConfig
from newsdesk.live.fetch import Fetcher, post_json
from newsdesk.models import (
    AlertArticle,
    AlertEvent,
    AlertRule,
    Article,
    Enrichment,
    Figure,
    WatchReport,
)
from newsdesk.store.journal import Journal

log = logging.getLogger("newsdesk.alerts")

MARK = "alerts.rowid"
START = "alerts.start:"
SCAN_CHUNK = 200
SPIKE_CITES = 20
_STOP = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "from", "by"})


def subject_words(subject: str) -> list[str]:
    """Content words, plural s dropped ("exports to Russia" -> export, russia); the same
    reduction `newsdesk figures --subject` uses."""
    return [w.rstrip("s") if len(w) > 4 else w for w in re.findall(r"[\w'-]+", subject.lower())
            if w not in _STOP]


def signed(figure: Figure) -> float:
    """A change's value with its sign: "fell 5%" is -5."""
    if figure.kind == "change" and figure.direction == "down" and figure.value > 0:
        return -figure.value
    return figure.value


class AlertEngine:
    def __init__(self, desk: Desk, journal: Journal, config: LiveConfig,
                 fetcher: Fetcher, sink: Callable[[AlertEvent], None] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.desk = desk
        self.journal = journal
        self.config = config
        self.fetcher = fetcher
        self.sink = sink
        self.clock = clock

    # --- evaluation --------------------------------------------------------------------

    def run(self, report: WatchReport) -> None:
        if not self.config.alerts:
            return
        report.alerts += self.evaluate()
        report.delivered += self.deliver()

    def channels(self, rule: AlertRule) -> list[str]:
        hooks = [f"webhook:{w.url}" for w in self.config.webhooks
                 if not w.rules or rule.name in w.rules]
        return ["log", *hooks]

    def register(self) -> None:
        """Note, for each rule seen for the first time, the last article stored now: a
        rule fires on articles stored after it was added, not on the whole history of
        the desk (a new keyword rule on a desk of 10,000 articles is not 10,000 alerts)."""
        if not self.config.alerts:
            return
        last = self.journal.conn.execute("SELECT coalesce(max(rowid), 0) FROM articles"
                                         ).fetchone()[0]
        with self.desk.store.transaction():
            for rule in self.config.alerts:
                if not self.journal.mark(f"{START}{rule.name}"):
                    self.journal.set_mark(f"{START}{rule.name}", str(last))

    def evaluate(self) -> int:
        """Fire the rules on every original stored since the last evaluation (and since
        the rule was added), then the volume spikes; returns how many alerts are new."""
        store = self.journal
        fired = 0
        starts = {r.name: int(store.mark(f"{START}{r.name}", "0")) for r in self.config.alerts}
        while True:
            last = int(store.mark(MARK, "0"))
            rows = store.conn.execute(
                "SELECT rowid, id FROM articles WHERE rowid > ? AND duplicate_of IS NULL "
                "ORDER BY rowid LIMIT ?", (last, SCAN_CHUNK)).fetchall()
            if not rows:
                break
            ids = [r[1] for r in rows]
            articles = self.desk.store.get_articles(ids)
            enrichments = self.desk.store.get_enrichments(ids)
            with self.desk.store.transaction():
                for rowid, article_id in rows:
                    article, enrichment = articles.get(article_id), enrichments.get(article_id)
                    if article is None or enrichment is None:
                        continue
                    for rule in self.config.alerts:
                        if rowid <= starts[rule.name]:
                            continue
                        event = self.match(rule, article, enrichment)
                        if event is not None and store.add_event(event, self.channels(rule)):
                            fired += 1
                store.set_mark(MARK, str(rows[-1][0]))
        with self.desk.store.transaction():
            for rule in self.config.alerts:
                if rule.kind == "spike":
                    event = self.spike(rule)
                    if event is not None and store.add_event(event, self.channels(rule)):
                        fired += 1
        return fired

    def match(self, rule: AlertRule, article: Article, enrichment: Enrichment
              ) -> AlertEvent | None:
        """The event this rule fires on this article, or None."""
        hit: tuple[str, str, int | None] | None = None  # key, title, evidence sentence
        value = (rule.value or "").strip()
        low = value.casefold()
        if rule.kind == "tag":
            topic = next((t for t in enrichment.topics
                          if low in (t.tag.casefold(), t.label.casefold())), None)
            if topic:
                hit = (article.id, f"tag {topic.label}",
                       topic.evidence[0] if topic.evidence else None)
        elif rule.kind == "entity":
            ent = next((e for e in enrichment.entities
                        if low in (e.name.casefold(), e.canonical.casefold())), None)
            if ent:
                hit = (article.id, f"{ent.canonical or ent.name} mentioned",
                       ent.sentences[0] if ent.sentences else None)
        elif rule.kind == "keyword" and value:
            pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.I)
            n = next((i for i, s in enumerate(article.sentences) if pattern.search(s)), None)
            if n is not None or pattern.search(article.title):
                hit = (article.id, f"'{value}'", n)
        elif rule.kind == "figure" and rule.subject:
            words = subject_words(rule.subject)
            for fig in enrichment.figures:
                if fig.role != "figure" or (rule.figure_kind != "any"
                                            and fig.kind != rule.figure_kind):
                    continue
                subject = (fig.subject or "").lower()
                if not words or not all(w in subject for w in words):
                    continue
                v = signed(fig)
                if (rule.below is not None and v < rule.below) or (
                        rule.above is not None and v > rule.above):
                    hit = (f"{article.id}:{fig.span.sentence}",
                           f"{rule.subject}: {fig.text} ({fig.kind} {v:g})", fig.span.sentence)
                    break
        elif rule.kind == "new_story":
            sid = self.desk.store.story_of(article.id)
            first = self.journal.conn.execute(
                "SELECT article_id FROM story_members WHERE story_id = ? ORDER BY seq LIMIT 1",
                (sid,)).fetchone() if sid else None
            tagged = not value or any(low in (t.tag.casefold(), t.label.casefold())
                                      for t in enrichment.topics)
            if first and first[0] == article.id and tagged:
                hit = (str(sid), f"new story{' on ' + value if value else ''}", None)
        if hit is None:
            return None
        key, what, sentence = hit
        return AlertEvent(
            rule=rule.name, kind=rule.kind, key=key, created_at=self.clock(),
            title=f"{rule.name}: {what} — {article.title}",
            articles=[_cite(article, sentence)])

    def spike(self, rule: AlertRule) -> AlertEvent | None:
        """A tag's count of articles published today against its mean over the `days`
        days before; fires at `factor` times the mean and at least `min_count`."""
        tag = (rule.value or "").strip()
        if not tag:
            return None
        today = self.clock().astimezone(UTC).date()
        start = today - timedelta(days=rule.days)
        rows = self.journal.conn.execute(
            "SELECT substr(t.published_utc, 1, 10) AS day, t.article_id FROM article_tags t "
            "JOIN articles a ON a.id = t.article_id WHERE a.duplicate_of IS NULL AND "
            "(t.tag = ? COLLATE NOCASE OR t.label = ? COLLATE NOCASE) AND "
            "t.published_utc >= ? ORDER BY t.published_utc DESC",
            (tag, tag, start.isoformat())).fetchall()
        per_day: dict[str, list[str]] = {}
        for day, article_id in rows:
            per_day.setdefault(day, []).append(article_id)
        now_ids = per_day.get(today.isoformat(), [])
        before = sum(len(v) for d, v in per_day.items() if d < today.isoformat())
        mean = before / rule.days
        if len(now_ids) < rule.min_count or len(now_ids) < rule.factor * mean:
            return None
        found = self.desk.store.get_articles(now_ids[:SPIKE_CITES])
        return AlertEvent(
            rule=rule.name, kind="spike", key=f"{tag.lower()}:{today.isoformat()}",
            created_at=self.clock(),
            title=(f"{rule.name}: {len(now_ids)} articles tagged {tag} today, "
                   f"{mean:.1f} a day over the {rule.days} days before"),
            articles=[_cite(a, None) for a in found.values()])

    # --- delivery ----------------------------------------------------------------------

    def deliver(self) -> int:
        """Send every queued delivery that is due; returns how many went out."""
        now = self.clock()
        sent = 0
        channels = ["log", *(f"webhook:{w.url}" for w in self.config.webhooks)]
        for channel in channels:
            pending = self.journal.pending_deliveries(channel, now)
            events = {e.id: e for e in self.journal.events(len(pending) or 1,
                                                           [i for i, _ in pending])}
            for event_id, _ in pending:
                event = events.get(event_id)
                if event is None:
                    continue
                try:
                    self._send(channel, event)
                except InputError as exc:
                    log.warning("alert delivery failed", extra={
                        "channel": channel, "alert": event_id, "error": str(exc)})
                    self.journal.delivery_failed(event_id, channel, str(exc), now)
                    continue
                self.journal.delivered(event_id, channel, now)
                sent += 1
        return sent

    def _send(self, channel: str, event: AlertEvent) -> None:
        if channel == "log":
            log.info("alert", extra={"alert": event.model_dump(mode="json")})
            if self.sink is not None:
                self.sink(event)
            return
        url = channel.split(":", 1)[1]
        hook = next((w for w in self.config.webhooks if w.url == url), None)
        post_json(self.fetcher, url, webhook_payload(event),
                  allow_local=bool(hook and hook.local))


def webhook_payload(event: AlertEvent) -> dict[str, Any]:
    return {"type": "newsdesk.alert", **event.model_dump(mode="json")}


def _cite(article: Article, sentence: int | None) -> AlertArticle:
    evidence = (article.sentences[sentence]
                if sentence is not None and 0 <= sentence < len(article.sentences) else None)
    return AlertArticle(id=article.id, title=article.title, url=article.url,
                        published_at=article.published_at, evidence=evidence)
