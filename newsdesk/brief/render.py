"""Renderers: Markdown (default), JSON and standalone HTML, laid out like the seed brief.

Citation labels: `[3]` is sentence 3 of the briefed article (as `newsdesk show ID` numbers
them); `[B1:4]` is sentence 4 of the first earlier article listed under Sources.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from newsdesk.brief.voices import RISK_LABELS
from newsdesk.models import Brief, BriefQuote, Citation, CitedSentence, Figure, Period, Risk


def format_time(dt: datetime | None) -> str:
    """'2025-09-02 14:52 EDT (UTC-04:00)': the local time the source printed, and its offset."""
    if dt is None:
        return "unknown"
    offset = dt.strftime("%z")
    sign_hm = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = dt.tzname()
    label = f"{name} ({sign_hm})" if name and not name.startswith("UTC") else sign_hm
    return f"{dt:%Y-%m-%d %H:%M} {label}"


def citation_labels(brief: Brief) -> dict[str, str]:
    """article id -> label prefix ('' for the briefed article, 'B1'... for earlier ones)."""
    labels = {brief.article_id: ""}
    for n, ref in enumerate(brief.references, start=1):
        labels[ref.article_id] = f"B{n}"
    return labels


def cite_label(c: Citation, labels: dict[str, str]) -> str:
    prefix = labels.get(c.article_id)
    if prefix is None:
        return f"{c.article_id[:8]}:{c.sentence}"
    return f"{prefix}:{c.sentence}" if prefix else str(c.sentence)


def _cited(s: CitedSentence, labels: dict[str, str]) -> str:
    marks = "".join(f"[{cite_label(c, labels)}]" for c in s.citations)
    return f"{s.text} {marks}"


def figure_value(f: Figure) -> str:
    """The normalised value, readable: '37 bn USD', '7.1 percent', '4.5–5 percent'."""

    def num(v: float) -> str:
        for scale, name in ((1e12, "tn"), (1e9, "bn"), (1e6, "mn")):
            if abs(v) >= scale:
                return f"{v / scale:,.4g} {name}"
        return f"{v:,.6g}"

    if f.unit == "fraction":  # "two-thirds of sales": a share of a group
        return f"{f.value:.0%} of the group"
    value = num(f.value) + (f"–{num(f.value_high)}" if f.value_high is not None else "")
    return f"{value} {f.unit}" if f.unit else value


def figure_change(f: Figure) -> str:
    arrow = {"up": "↑ ", "down": "↓ "}.get(f.direction, "")
    bound = {"approximate": "≈ ", "more_than": "> ", "less_than": "< "}.get(f.qualifier, "")
    return f"{arrow}{bound}{f.kind}"


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)")
_OPEN_YEAR = re.compile(r"^(?:since|by)\b", re.IGNORECASE)


def period_label(period: Period | None) -> str:
    """The period a figure covers as resolved: 'H1 2025', 'Jan–Jun 2025', 'Q3 2024',
    '2024' for "last year" in a 2025 article. Figures of articles written at different
    times then line up, and "between January and June" no longer reads as two months.
    The article's words are kept where the resolution would lose something: no year
    known, an open span ("since 2019", "by 2030"), a day ("June 5" becomes "June 5,
    2025")."""
    if period is None:
        return ""
    text, year = period.text, period.year
    if year is None or _OPEN_YEAR.match(text):
        return text
    if period.quarter:
        return f"Q{period.quarter} {year}"
    if period.half:
        return f"H{period.half} {year}"
    if period.months and period.months > 1:
        first = period.month or 1
        last = first + period.months - 1
        return f"{_MONTHS[first - 1]}–{_MONTHS[last - 1]} {year}" if last <= 12 else text
    if period.month:
        if _DAY.search(text.replace(str(year), "")):
            return text if str(year) in text else f"{text}, {year}"
        return f"{_MONTHS[period.month - 1]} {year}"
    return str(year)


def figure_baseline(f: Figure) -> str:
    b = f.baseline
    if b is None:
        return ""
    src = f" ({b.source})" if b.source else ""
    return f"{b.kind}: {figure_value(Figure(text=b.text, value=b.value, value_high=b.value_high, unit=b.unit, span=f.span))}{src}"  # noqa: E501


def risk_label(risk: Risk) -> str:
    """'Sanctions · Payment disruption'."""
    return " · ".join(RISK_LABELS.get(k, k.replace("_", " ").capitalize()) for k in risk.kinds)


def quote_groups(quotes: list[BriefQuote]) -> list[list[BriefQuote]]:
    """Consecutive quotes of one speaker, together: a quote continued in the next sentence
    reads as one statement."""
    groups: list[list[BriefQuote]] = []
    for q in quotes:
        if groups and groups[-1][-1].speaker == q.speaker and groups[-1][-1].kind == q.kind:
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def new_citations(group: list[BriefQuote]) -> list[list[Citation]]:
    """Each quote's citations less those an earlier quote of the group already showed."""
    seen: set[tuple[str, int]] = set()
    out = []
    for q in group:
        keys = [(c.article_id, c.sentence) for c in q.citations]
        out.append([c for c, k in zip(q.citations, keys, strict=True) if k not in seen]
                   or q.citations[-1:])
        seen.update(keys)
    return out


def quote_words(q: BriefQuote) -> str:
    return f"“{q.text}”" if q.kind == "direct" else q.text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(brief: Brief) -> str:
    labels = citation_labels(brief)
    lines = [f"# {brief.title}", ""]
    meta = [x for x in (brief.region, brief.category) if x]
    if meta:
        lines.append(f"**{' · '.join(meta)}**  ")
    lines.append(
        f"Source: {brief.source or 'unknown'} · Published: {format_time(brief.published_at)}"
        f" · {brief.read_time_minutes} min read  "
    )
    if brief.tags:
        lines.append("Tags: " + " · ".join(f"`{t.label}`" for t in brief.tags))
    if brief.engine_note:
        lines += ["", f"> **Note:** {brief.engine_note}"]
    lines += ["", "## News Summary", ""]
    lines.append(" ".join(_cited(s, labels) for s in brief.summary) or "_No summary._")
    if brief.key_figures:
        lines += ["", "## Key Figures", "",
                  "| What | Figure | Value | Change | Period | Compared with | Source |",
                  "|---|---|---|---|---|---|---|"]
        for kf in brief.key_figures:
            f = kf.figure
            period = period_label(f.period)
            lines.append(
                f"| {_cell(f.subject or '—')} | {_cell(f.text)} | {figure_value(f)} | "
                f"{figure_change(f)} | {_cell(period)} | {_cell(figure_baseline(f))} | "
                f"[{cite_label(kf.citation, labels)}] |"
            )
    if brief.quotes:
        lines += ["", "## Quotes", ""]
        for group in quote_groups(brief.quotes):
            head = group[0]
            who = f"**{head.speaker or 'unattributed'}**"
            if head.speaker_role:
                who += f", {head.speaker_role}"
            if head.kind == "reported":
                who += " (reported)"
            said = " ".join(
                quote_words(q) + " " + "".join(f"[{cite_label(c, labels)}]" for c in cites)
                for q, cites in zip(group, new_citations(group), strict=True)
            )
            lines.append(f"- {who}: {said}")
    if brief.risks:
        lines += ["", "## Risks", ""]
        lines.extend(f"- **{risk_label(r)}**: {_cited(r.evidence, labels)}" for r in brief.risks)
    lines += ["", "## Background", "", f"_{brief.background_note}_", ""]
    if brief.background:
        lines.append(" ".join(_cited(s, labels) for s in brief.background))
        lines.append("")
    lines += ["## In-Depth Insights", ""]
    for insight in brief.insights:
        lines.append(f"**{_cited(insight.question, labels)}**")
        lines.extend(f"- {_cited(b, labels)}" for b in insight.bullets)
        lines.append("")
    lines += ["## Sources", ""]
    lines.append(
        f"- `[n]` sentence n of this article, id `{brief.article_id}`"
        + (f" — {brief.url}" if brief.url else "")
    )
    for ref in brief.references:
        lines.append(
            f"- `[{labels[ref.article_id]}:n]` {ref.title} — {ref.source or 'unknown source'}, "
            f"{format_time(ref.published_at)}, id `{ref.article_id}`"
        )
    v = brief.verification
    lines += [
        "",
        f"_Engine: {brief.engine}. Verified {v.passed} of {v.checked} sentences against their "
        f"citations; {len(v.dropped)} dropped._",
    ]
    if (u := brief.llm_usage) is not None:
        lines.append(f"_Model {u.model}: {u.calls} call(s), {u.cached_calls} from the cache, "
                     f"{u.prompt_tokens} prompt + {u.completion_tokens} completion tokens, "
                     f"{u.latency_s:g} s._")
    for d in v.dropped:
        lines.append(f"- dropped from {d.section}: “{d.text}” — {d.reason}")
    return "\n".join(lines) + "\n"


def to_json(brief: Brief) -> str:
    return json.dumps(brief.model_dump(mode="json"), indent=2, ensure_ascii=False)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("newsdesk", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["when"] = format_time
    env.globals.update(figure_value=figure_value, figure_change=figure_change,
                       period_label=period_label,
                       figure_baseline=figure_baseline, risk_label=risk_label,
                       quote_groups=quote_groups, quote_words=quote_words,
                       new_citations=new_citations)
    # Only web links become links: a "javascript:" URL from a hostile feed stays text.
    env.filters["safe_link"] = lambda url: str(url).lower().startswith(("http://", "https://"))
    return env


def to_html(brief: Brief) -> str:
    """A standalone page (inline CSS, no external assets); all article text is escaped."""
    labels = citation_labels(brief)
    return _env().get_template("brief.html.j2").render(
        brief=brief, label=lambda c: cite_label(c, labels), labels=labels
    )


RENDERERS = {"markdown": to_markdown, "md": to_markdown, "json": to_json, "html": to_html}
