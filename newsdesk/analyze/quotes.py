"""Quotes: who said what, in their words (direct) or as reported speech.

Direct quotes are found between straight or curly quotation marks, across sentence
boundaries. Their speaker is read from the attribution next to them ('," said Chen
Mingyu', 'Wang Yi said: "...'), resolved to an entity the article names in full, with
its role; "he"/"she" resolve to the last person quoted or named when that is
unambiguous, and an unattributed quote right after a quote continues its speaker.
Reported speech ('X said that ...', '..., according to X') is kept with its speaker.
"""

from __future__ import annotations

import re

from newsdesk.analyze.sentences import join_sentences, sentence_at
from newsdesk.models import Entity, Quote, Span

_VERBS = (r"said|says|say|added|adds|told\s+[\w.]+(?:\s[\w.]+)?|warned|warns|noted|notes|argued|"
          r"argues|explained|stressed|insisted|wrote|writes|stated|acknowledged|remarked|"
          r"observed|cautioned|predicted|suggested|declared|announced|commented|continued|"
          r"asked|replied|concluded")
# Greedy: a quote cannot contain a quotation mark, so the longest run up to the closing
# mark is the shortest one too, and a greedy run of a character class is much faster.
_DIRECT = re.compile(r"[“\"](?P<q>[^“”\"]{8,1500})[”\"]")
_AFTER = re.compile(
    rf"^\s*[,.!?]?\s*(?:(?P<v1>{_VERBS})\s+(?P<who1>[^,.;:\"“”]{{2,80}})|"
    rf"(?P<who2>[^,.;:\"“”]{{2,60}}?)\s+(?P<v2>{_VERBS})\b)"
)
_APPOSITION = r"(?:,\s[^,;\"“”]{3,110},)?"
_BEFORE = re.compile(
    rf"(?P<who>[A-Z][^,.;:\"“”]{{1,80}}?|he|she|they){_APPOSITION}\s+(?:{_VERBS})"
    rf"(?:\s+that)?\s*[:,]?\s*$"
)
_REPORTING_VERBS = (r"described|called|praised|pointed\s+to|urged|vowed|pledged|promised|denied|"
                    r"claimed")
_REPORTED = re.compile(
    rf"(?:^|,\s+)(?P<who>[A-Z][^,;:\"“”]{{1,90}}?|he|she|they){_APPOSITION}\s+"
    rf"(?:{_VERBS}|{_REPORTING_VERBS})(?:\s+on\s+\w+)?(?:\s+that)?\s+(?P<text>[^\"“”]{{15,}})$"
)
_ACCORDING = re.compile(r"^(?P<text>.{15,}?),?\s+according\s+to\s+(?P<who>[^,.;]{2,90})\.?$")
_TRAILING_SAID = re.compile(
    rf"^(?P<text>[^\"“”]{{15,}}?),\s+(?P<who>[^,]{{2,80}}?)\s+(?:{_VERBS})\.?$")
# The first word of every verb above. Each pattern of reported speech has one of them as a
# whole word (between spaces), so a sentence without any is not tried: most are not.
_SPEECH_WORDS = frozenset(re.match(r"[a-z]+", v).group(0)  # type: ignore[union-attr]
                          for v in f"{_VERBS}|{_REPORTING_VERBS}".split("|"))
_PRONOUN = re.compile(r"^(?:he|she|they)$", re.I)
_GROUPS = re.compile(
    r"^(?:(?:some|many|several|most|other|two|three)\s+)?(?:[a-z]+\s+)?(?:analysts|officials|traders|"
    r"economists|bankers|exporters|importers|diplomats|experts|executives|investors|"
    r"observers|people familiar with the matter|sources|the ministry|the government|"
    r"the kremlin|beijing|moscow|washington)\b", re.I)


def _speaker_at(
    text: str, start: int, end: int, people: list[tuple[int, int, Entity]]
) -> Entity | None:
    """The entity mentioned inside [start, end) of the joined text, if any."""
    for s, e, ent in people:
        if s >= start and e <= end:
            return ent
    return None


def extract_quotes(sentences: list[str], entities: list[Entity]) -> list[Quote]:
    joined, starts = join_sentences(sentences)
    mentions = sorted(
        (starts[sp.sentence] + sp.start, starts[sp.sentence] + sp.end, e)
        for e in entities if e.type in ("person", "organisation")
        for sp in e.spans
    )

    def sentence_of(pos: int) -> int:
        return sentence_at(starts, pos)

    quotes: list[Quote] = []
    last_person: Entity | None = None
    last_quote_end = -1
    last_speaker: tuple[str | None, str | None] = (None, None)
    covered: set[int] = set()

    def last_named_before(pos: int) -> Entity | None:
        before = [ent for s, _, ent in mentions if s < pos and ent.type == "person"]
        return before[-1] if before else None

    direct = _DIRECT.finditer(joined) if '"' in joined or "“" in joined else iter(())
    for m in direct:
        q_start, q_end = m.start(), m.end()
        first, last = sentence_of(q_start), sentence_of(q_end - 1)
        line_end = joined.find("\n", q_end)
        after = joined[q_end:line_end if line_end != -1 else len(joined)]
        line_start = joined.rfind("\n", 0, q_start) + 1
        before = joined[line_start:q_start]
        speaker: Entity | None = None
        who_text: str | None = None
        a = _AFTER.match(after)
        if a:
            who_text = (a.group("who1") or a.group("who2") or "").strip()
            w_start = q_end + a.start("who1" if a.group("who1") else "who2")
            speaker = _speaker_at(joined, w_start, w_start + len(a.group(0)), mentions)
        else:
            b = _BEFORE.search(before)
            if b:
                who_text = b.group("who").strip()
                speaker = _speaker_at(joined, line_start + b.start("who"),
                                      line_start + b.end("who"), mentions)
        name: str | None = speaker.name if speaker else None
        role: str | None = speaker.role if speaker else None
        if speaker is None and who_text and _PRONOUN.match(who_text.split()[0]):
            ref = last_named_before(q_start) or last_person
            if ref is not None:
                name, role = ref.name, ref.role
        elif speaker is None and who_text and _GROUPS.match(who_text):
            name = _GROUPS.match(who_text).group(0).lower()  # type: ignore[union-attr]
        if name is None and who_text is None and 0 <= q_start - last_quote_end <= 3:
            name, role = last_speaker  # a quote continued in the next sentence
        if name is None and who_text is None and last_quote_end >= 0 and (
            sentence_of(last_quote_end) >= first - 1 and before.strip() == ""
        ):
            name, role = last_speaker
        quotes.append(Quote(
            speaker=name, speaker_role=role, text=m.group("q").strip(), kind="direct",
            sentences=list(range(first, last + 1)),
            span=Span(sentence=first, start=q_start - starts[first],
                      end=min(q_end, starts[first] + len(sentences[first])) - starts[first]),
        ))
        covered.update(range(first, last + 1))
        if speaker is not None and speaker.type == "person":
            last_person = speaker
        last_quote_end = q_end
        last_speaker = (name, role)

    according_anywhere = "according" in joined
    for i, sentence in enumerate(sentences):
        if i in covered or '"' in sentence or "“" in sentence:
            continue
        # Cheap necessary conditions first; the patterns run on the few sentences left.
        words = sentence.split()
        inside = not _SPEECH_WORDS.isdisjoint(words)  # a verb with a space after it
        at_end = bool(words) and words[-1].removesuffix(".") in _SPEECH_WORDS
        according = according_anywhere and "according" in sentence
        if not (inside or at_end or according):
            continue
        for pattern in (_ACCORDING, _TRAILING_SAID, _REPORTED):
            if pattern is _ACCORDING:
                if not according:
                    continue
                r = pattern.match(sentence)
            elif pattern is _TRAILING_SAID:
                # The verb ends the sentence, or it is "told <someone>".
                if not (at_end or "told" in words):
                    continue
                r = pattern.match(sentence)
            else:
                if not inside:
                    continue
                r = pattern.search(sentence)
            if not r:
                continue
            who = r.group("who").strip()
            w_start = starts[i] + r.start("who")
            ent = _speaker_at(joined, w_start, w_start + len(who) + 1, mentions)
            if ent is not None:
                name, role = ent.name, ent.role
            elif _GROUPS.match(who):
                name, role = _GROUPS.match(who).group(0).lower(), None  # type: ignore[union-attr]
            elif _PRONOUN.match(who) and (last_named_before(starts[i]) or last_person):
                ref = last_named_before(starts[i]) or last_person
                assert ref is not None
                name, role = ref.name, ref.role
            else:
                continue
            text = r.group("text").strip().rstrip(".")
            t_start = sentence.find(text)
            quotes.append(Quote(
                speaker=name, speaker_role=role, text=text, kind="reported", sentences=[i],
                span=Span(sentence=i, start=t_start, end=t_start + len(text)),
            ))
            if ent is not None and ent.type == "person":
                last_person = ent
            break
    quotes.sort(key=lambda q: (q.sentences[0], q.span.start if q.span else 0))
    return quotes
