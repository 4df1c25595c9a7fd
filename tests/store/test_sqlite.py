"""The SQLite store: one file, WAL, FTS5 search with BM25 and snippets, migrations."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.errors import StoreError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text
from newsdesk.models import Article, SearchFilters
from newsdesk.store import facets as facets_module
from newsdesk.store import sqlite as sqlite_module
from newsdesk.store.base import Store
from newsdesk.store.facets import facet_token
from newsdesk.store.sqlite import SQLiteStore


def article(title: str, body: str, published: str, source: str = "Wire") -> Article:
    text = f"{title}\nSource: {source}\nPublished: {published}\n\n{body}\n"
    return prepare(parse_text(text, f"{title}.txt"))


def put(store: SQLiteStore, a: Article) -> None:
    store.put_article(a, analyze(a, load_taxonomy(), default_gazetteer()))


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "s.db")
    put(s, article("Yuan settlement grows",
                   "Russia and China settled most trade in yuan and roubles. Payments in the "
                   "yuan rose as Western sanctions cut banks off SWIFT.", "2023-05-01T10:00:00+03:00",
                   "Eastern Ledger"))
    put(s, article("Oil price cap begins",
                   "The G7 oil price cap on Russian crude took effect on Monday. Exports of "
                   "crude to India and China rose as buyers sought discounts.",
                   "2022-12-05T09:00:00+00:00", "Harbor Economic Review"))
    put(s, article("Chip export controls tighten",
                   "The United States tightened export controls on advanced chips to China. "
                   "Semiconductor makers said sanctions would slow sales.", "2024-10-10T12:00:00-04:00"))
    return s


def test_it_is_a_store(store: SQLiteStore) -> None:
    assert isinstance(store, Store)


def test_wal_and_schema_version(store: SQLiteStore) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == len(sqlite_module.MIGRATIONS)


def test_round_trip_keeps_offsets(store: SQLiteStore) -> None:
    (hit,) = store.search("oil price cap")
    a = store.get_article(hit.article_id)
    assert a is not None and a.published_at is not None
    assert a.published_at.isoformat() == "2022-12-05T09:00:00+00:00"
    assert store.get_enrichment(a.id) is not None


def test_search_ranks_with_bm25_and_marks_snippets(store: SQLiteStore) -> None:
    hits = store.search("yuan settlement")
    assert hits[0].title == "Yuan settlement grows"
    assert "**" in hits[0].snippet
    assert hits[0].score > 0


def test_search_filters(store: SQLiteStore) -> None:
    assert [h.title for h in store.search("crude", SearchFilters(source="harbor"))] == ["Oil price cap begins"]
    assert store.search("crude", SearchFilters(source="eastern")) == []
    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert [h.title for h in store.search("", SearchFilters(since=since))] == ["Chip export controls tighten"]
    assert [h.title for h in store.search("", SearchFilters(tag="Export Controls"))] == [
        "Chip export controls tighten"
    ]


def test_search_survives_fts_syntax_in_user_queries(store: SQLiteStore) -> None:
    for query in ['"unbalanced', "AND OR NOT", "yuan*", "(crude", "col:umn", "-", "NEAR("]:
        store.search(query)  # must not raise


def test_empty_query_lists_newest_first(store: SQLiteStore) -> None:
    titles = [h.title for h in store.search("")]
    assert titles == ["Chip export controls tighten", "Yuan settlement grows",
                      "Oil price cap begins"]


def test_a_query_without_words_lists_the_newest_with_score_zero_not_minus_zero(
        store: SQLiteStore) -> None:
    for query in ("", "*", " - ", "()"):
        hits = store.search(query)
        assert [h.title for h in hits] == [
            "Chip export controls tighten", "Yuan settlement grows", "Oil price cap begins"]
        assert all(h.score == 0.0 and str(h.score) == "0.0" for h in hits), query


def test_words_in_every_article_keep_a_nonzero_score(store: SQLiteStore) -> None:
    """BM25 gives a word found in most articles a score near zero; four significant
    digits keep it, where rounding to four places showed "score 0"."""
    every = store.search("the", limit=10)
    assert len(every) == 3
    assert all(0 < h.score < 0.001 for h in every), [h.score for h in every]


def test_quarantine_keeps_reason_and_payload(store: SQLiteStore) -> None:
    qid = store.quarantine("bad.txt", "empty file", b"")
    (item,) = store.list_quarantine()
    assert item.id == qid and item.reason == "empty file" and item.payload_size == 0


def test_transaction_rolls_back_everything(store: SQLiteStore) -> None:
    before = store.stats()["articles"]
    with pytest.raises(RuntimeError), store.transaction():
        put(store, article("Temporary", "A sentence that will vanish with the rollback.",
                           "2024-01-01T00:00:00+00:00"))
        raise RuntimeError("boom")
    assert store.stats()["articles"] == before


def test_migrations_upgrade_an_existing_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.db"
    s = SQLiteStore(path)
    put(s, article("Kept", "This article must survive the schema upgrade.", "2024-01-01T00:00Z"))
    s.close()
    monkeypatch.setattr(sqlite_module, "MIGRATIONS", [
        *sqlite_module.MIGRATIONS, "CREATE TABLE extra (x INTEGER);"
    ])
    s = SQLiteStore(path)
    assert s.schema_version == len(sqlite_module.MIGRATIONS)
    assert s.conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    assert [h.title for h in s.search("survive")] == ["Kept"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError, match="not a newsdesk database"):
        SQLiteStore(path)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable newsdesk database"):
        SQLiteStore(path)



@pytest.mark.parametrize(("name", "message"), [
    ("SQLITE_CANTOPEN", "unable to open database file"),  # a read-only mount
    ("SQLITE_READONLY_DIRECTORY", "attempt to write a readonly database"),  # chmod a-w
])
def test_a_database_whose_folder_cannot_be_written_says_the_folder_must_be_writable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str) -> None:
    """WAL needs d.db-shm and d.db-wal beside the file, even to read: in a read-only
    folder or mount SQLite's bare message (or 'not a usable newsdesk database') hid that."""
    path = tmp_path / "d.db"
    SQLiteStore(path).close()

    def refused(self: SQLiteStore) -> None:
        exc = sqlite3.OperationalError(message)
        exc.sqlite_errorname = name  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(SQLiteStore, "_configure", refused)
    with pytest.raises(StoreError) as caught:
        SQLiteStore(path, create=False)
    said = str(caught.value)
    assert str(path) in said and "d.db-shm" in said and "folder" in said
    assert "writable" in said and "--db" in said and "not a usable" not in said

REWRITE_BODY = (
    "Chinese car makers sold more vehicles in Russia than ever before last year, customs and "
    "dealer data show. Brands such as Chery, Haval and Geely filled showrooms that Western "
    "firms left after 2022, and their share of new car sales passed half. Dealers said "
    "buyers liked the prices and the quick delivery, but complained about spare parts. "
    "Russia raised its recycling fee on imported cars, which could slow sales this year."
)


def test_a_lightly_edited_copy_finds_its_original(store: SQLiteStore) -> None:
    put(store, article("Chinese cars conquer Russia", REWRITE_BODY, "2024-02-01T10:00:00Z"))
    original = store.search("Chery Haval")[0].article_id
    edited = article("Chinese brands dominate Russian car market",
                     REWRITE_BODY.replace("more vehicles", "more cars"), "2024-02-02T10:00:00Z")
    from newsdesk.store.rows import article_rows
    rows = article_rows(edited, analyze(edited, load_taxonomy(), default_gazetteer()))
    assert rows.signature is not None
    found = store.near_duplicate(rows.signature, exclude=rows.id)
    assert found is not None and found[0] == original and found[1] >= 0.6
    assert store.near_duplicate(rows.signature, exclude=original) is None


def test_near_duplicates_see_articles_stored_later_and_by_other_processes(
    tmp_path: Path,
) -> None:
    """The band index lives in memory: it must catch up with rows stored after it was
    built (by this connection or another one) and forget rows rolled back."""
    from newsdesk.relate.neardup import signature
    path = tmp_path / "n.db"
    mine, other = SQLiteStore(path), SQLiteStore(path)
    probe = signature(REWRITE_BODY.replace("more vehicles", "more cars"))
    assert mine.near_duplicate(probe) is None  # index built, empty
    put(other, article("Chinese cars conquer Russia", REWRITE_BODY, "2024-02-01T10:00:00Z"))
    found = mine.near_duplicate(probe)
    assert found is not None and found[1] >= 0.6
    fresh = SQLiteStore(tmp_path / "r.db")
    put(fresh, article("Grain", "Wheat exports rose 4% in May, traders said.", "2024-05-01"))
    with pytest.raises(RuntimeError), fresh.transaction():
        put(fresh, article("Rates", "The central bank held its key rate at 16% on Friday, "
                           "citing sticky inflation and a weak rouble.", "2024-05-02"))
        assert fresh.near_duplicate(probe) is None
        raise RuntimeError("abandon the batch")
    # The next signature takes the rolled-back row's place (same rowid): it is read again.
    put(fresh, article("Chinese cars conquer Russia", REWRITE_BODY, "2024-02-01T10:00:00Z"))
    assert fresh.near_duplicate(probe) is not None


def test_migration_six_drops_the_band_table(store: SQLiteStore) -> None:
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    assert "minhash_bands" not in names and "article_minhash" in names


def test_a_stored_signature_never_takes_a_deleted_ones_number(store: SQLiteStore) -> None:
    """The band index reads rows past the last number it saw: reusing the number of a
    deleted row (SQLite does, for the largest rowid, without AUTOINCREMENT) would hide the
    new row from it."""
    last = store.conn.execute(
        "SELECT article_id, rowid FROM article_minhash ORDER BY rowid DESC LIMIT 1").fetchone()
    store.conn.execute("DELETE FROM article_minhash WHERE article_id = ?", (last[0],))
    put(store, article("Grain", "Wheat exports rose 4% in May, traders said.", "2024-05-01"))
    newest = store.conn.execute("SELECT max(rowid) FROM article_minhash").fetchone()[0]
    assert newest > last[1]


def test_migration_four_signs_the_articles_already_stored(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    s = SQLiteStore(path)
    put(s, article("Cars", REWRITE_BODY, "2024-02-01T10:00:00Z"))
    s.conn.executescript("DROP TABLE article_minhash; "
                         "DROP TABLE stories; DROP TABLE story_members; "
                         "DROP TABLE embeddings; PRAGMA user_version=3;")
    s.close()
    s = SQLiteStore(path)
    assert s.conn.execute("SELECT count(*) FROM article_minhash").fetchone()[0] == 1
    probe = article("Cars again", REWRITE_BODY, "2024-02-03T10:00:00Z")
    from newsdesk.relate.neardup import signature
    assert s.near_duplicate(signature(probe.text)) is not None


def test_get_enrichments_reads_several_and_forgets_a_rewritten_article(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "e.db")
    a = article("Trade grows", "Trade between China and Russia rose 5% in May.",
                "2024-06-01T10:00:00+00:00")
    put(s, a)
    first = s.get_enrichments([a.id, "missing"])
    assert list(first) == [a.id] and first[a.id].figures[0].text == "5%"
    assert s.get_enrichments([a.id])[a.id] is first[a.id]  # parsed once
    s.put_article(a, analyze(a, load_taxonomy(), default_gazetteer()).model_copy(
        update={"figures": []}))
    assert s.get_enrichments([a.id])[a.id].figures == []


def test_prior_facts_are_the_figures_and_roles_of_the_stored_enrichment(tmp_path: Path) -> None:
    """Briefs read earlier articles' figures and cue roles without parsing the rest."""
    s = SQLiteStore(tmp_path / "p.db")
    a = article("Trade grows", "Trade between China and Russia rose 5% in May, officials said.",
                "2024-06-01T10:00:00+00:00")
    put(s, a)
    full = s.get_enrichments([a.id])[a.id]
    facts = s.get_prior_facts([a.id, "missing"])
    assert list(facts) == [a.id]
    assert facts[a.id].figures == full.figures and facts[a.id].figures
    assert facts[a.id].sentence_roles == full.sentence_roles
    assert s.get_prior_facts([a.id])[a.id] is facts[a.id]  # parsed once
    s.put_article(a, analyze(a, load_taxonomy(), default_gazetteer()).model_copy(
        update={"figures": []}))
    assert s.get_prior_facts([a.id])[a.id].figures == []


def test_articles_and_facts_are_found_among_more_ids_than_sqlite_binds_at_once(
        tmp_path: Path) -> None:
    """A story page or a batch may ask for thousands of articles at once: more than a
    statement may bind where SQLite was built with its old limit of 999 parameters."""
    s = SQLiteStore(tmp_path / "many.db")
    s.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    a = article("Trade grows", "Trade between China and Russia rose 5% in May, officials said.",
                "2024-06-01T10:00:00+00:00")
    put(s, a)
    ids = [f"missing-{n}" for n in range(3_000)]
    ids.insert(1_500, a.id)
    assert list(s.get_articles(ids)) == [a.id]
    assert list(s.get_prior_facts(ids)) == [a.id]


def test_parsed_caches_keep_at_most_their_limit_oldest_out_first(tmp_path: Path) -> None:
    """Parsed articles and facts are kept up to a limit a batch job may raise; past it
    the oldest entry goes, and an evicted article is parsed again when asked for."""
    s = SQLiteStore(tmp_path / "c.db")
    s.article_cache = s.enrichment_cache = 2
    stored = [article(f"Trade {n}", f"Trade between China and Russia rose {n}% in May.",
                      "2024-06-01T10:00:00+00:00") for n in range(1, 4)]
    for a in stored:
        put(s, a)
    ids = [a.id for a in stored]
    first = s.get_articles(ids[:1])[ids[0]]
    s.get_articles(ids[1:])
    s.get_prior_facts(ids)
    assert len(s._cache) == 2 and ids[0] not in s._cache
    assert len(s._prior_facts) == 2
    again = s.get_articles(ids[:1])[ids[0]]
    assert again == first and again is not first


def test_ranking_finds_the_originals_however_many_rejected_rows_outrank_them(
    tmp_path: Path,
) -> None:
    """Keyword ranking first takes the top rows of the full-text index, then applies the
    filters; when every one of those rows is rejected (here: rows the index holds that
    are no longer originals) it must still find the originals further down."""
    s = SQLiteStore(tmp_path / "r.db")
    originals = [article(f"Grain {n}", f"Wheat exports rose {n}% in May, traders said.",
                         f"2024-05-0{n}") for n in (1, 2)]
    for a in originals:
        put(s, a)
    heavy = [article(f"Wheat wheat {n}", f"Wheat, wheat and wheat again ({n}): wheat " * 3,
                     "2024-06-01") for n in range(40)]
    for a in heavy:
        put(s, a)
    s.conn.execute(  # an UPDATE leaves their full-text rows in place
        f"UPDATE articles SET duplicate_of = ? WHERE id IN ({','.join('?' * len(heavy))})",
        [originals[0].id, *(a.id for a in heavy)])
    assert {i for i, _ in s.rank("wheat", limit=2)} == {a.id for a in originals}
    assert [h.article_id for h in s.search("wheat", limit=5)] == [
        i for i, _ in s.rank("wheat", limit=5)]


def _joined_rank(s: SQLiteStore, query: str, limit: int, **filters: object) -> list[str]:
    """The reference: every match joined with its article, filtered, then ranked."""
    where, params = s._filters(SearchFilters(**filters))  # type: ignore[arg-type]
    return [r[0] for r in s.conn.execute(
        "SELECT a.id FROM article_fts JOIN articles a ON a.rowid = article_fts.rowid "
        f"WHERE article_fts MATCH ? AND {' AND '.join(where)} "
        "ORDER BY bm25(article_fts, 4.0, 1.0), a.rowid LIMIT ?",
        [sqlite_module.fts_query(query), *params, limit])]


@pytest.fixture(scope="module")
def wheat_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """240 articles matching "wheat": 8 about India, 3 from "Rare Wire" (ranked last)."""
    s = SQLiteStore(tmp_path_factory.mktemp("wheat") / "f.db")
    analysed: dict[str, object] = {}
    for n in range(240):
        place = "India" if n % 30 == 7 else "Brazil"
        source = "Rare Wire" if n % 80 == 3 else "Wire"
        # The rare source's articles mention wheat once in a long text: they rank last.
        filler = ("Other grain news followed. " * 30 if source == "Rare Wire"
                  else "Wheat prices held. " * (n % 5))
        a = article(f"Note {n}", f"Wheat exports to {place} rose {n}% in May. " + filler,
                    f"2024-{1 + n % 6:02d}-{1 + n % 27:02d}", source)
        if place not in analysed:  # the same places and tags for every article of a place
            analysed[place] = analyze(a, load_taxonomy(), default_gazetteer())
        s.put_article(a, analysed[place].model_copy(  # type: ignore[attr-defined]
            update={"article_id": a.id}))
    return s


@pytest.mark.parametrize("filters", [
    {"since": datetime(2024, 3, 1, tzinfo=UTC)},  # about half pass: found in the window
    {"entity": "India"},                           # 1 in 30 passes
    # 3 of 240 pass, ranked last: the check reads down to them
    {"source": "Rare Wire", "until": datetime(2024, 12, 31, tzinfo=UTC)},
])
def test_filtered_ranking_gives_what_the_joined_query_gives(
    wheat_store: SQLiteStore, filters: dict[str, object],
) -> None:
    """A filtered keyword search ranks inside the full-text index first and checks the
    top rows best first; however many pass, the answer is the reference's."""
    for limit in (1, 5, 25):
        got = [i for i, _ in wheat_store.rank("wheat", SearchFilters(**filters), limit)]  # type: ignore[arg-type]
        assert got == _joined_rank(wheat_store, "wheat", limit, **filters)
        assert got  # every filter above lets some articles through


def test_filtered_ranking_falls_back_to_the_joined_query_past_its_window(
    wheat_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the ranked window holds fewer passing rows than asked and more matches lie
    beyond it, the joined query gives the answer (here the window is 100 of 240)."""
    monkeypatch.setattr(sqlite_module, "FILTERED_WINDOW", 100)
    filters = {"source": "Rare Wire"}
    assert [i for i, _ in wheat_store.rank("wheat", SearchFilters(**filters), 5)] == _joined_rank(
        wheat_store, "wheat", 5, **filters)
    assert len(_joined_rank(wheat_store, "wheat", 5, **filters)) == 3


def test_filter_checks_by_id_read_an_index_not_the_article_rows(store: SQLiteStore) -> None:
    """Filtered vector search checks nearest ids against the filters: migration 10's
    index answers that without reading the article rows (their text fills pages)."""
    where, params = store._filters(
        SearchFilters(source="Wire", since=datetime(2023, 1, 1, tzinfo=UTC)))
    plan = " ".join(str(tuple(r)) for r in store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT a.id FROM articles a WHERE a.id IN (?, ?) AND "
        f"{' AND '.join(where)}", ["x", "y", *params]))
    assert "COVERING INDEX articles_filters" in plan
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles")]
    assert store.filter_ids(ids, SearchFilters(since=datetime(2023, 1, 1, tzinfo=UTC))) == {
        r[0] for r in store.conn.execute(
            "SELECT id FROM articles WHERE published_utc >= '2023'")}


def test_facet_keys_are_the_originals_carrying_the_tag_or_place(
    wheat_store: SQLiteStore,
) -> None:
    """The vector side of a filtered search scores only these rows: every original with
    the place (any case), in ascending key order, and nothing for date-only filters."""
    india = wheat_store.facet_keys(SearchFilters(entity="india"))
    assert india is not None and india.dtype == np.int64
    assert india.tolist() == [r[0] for r in wheat_store.conn.execute(
        "SELECT a.rowid FROM articles a JOIN article_places p ON p.article_id = a.id "
        "WHERE p.place = 'India' AND a.duplicate_of IS NULL ORDER BY a.rowid")]
    assert len(india) == 8
    assert wheat_store.facet_keys(SearchFilters(entity="India"), most=7) is None  # too broad
    assert wheat_store.facet_keys(SearchFilters(entity="India"), most=8).tolist() == (  # type: ignore[union-attr]
        india.tolist())
    assert wheat_store.facet_keys(SearchFilters(entity="Atlantis")).tolist() == []  # type: ignore[union-attr]
    assert wheat_store.facet_keys(SearchFilters(since=datetime(2024, 1, 1, tzinfo=UTC))) is None


def test_a_filtered_match_scores_only_articles_carrying_the_place(
    wheat_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The facet tokens go into the FTS5 query itself: the index hands over the 8 India
    articles, not the 240 wheat matches, and the answer stays the reference's."""
    seen: list[int] = []
    real = wheat_store._rank_fts_first

    def counting(match: str, *args: object) -> object:
        seen.append(wheat_store.conn.execute(
            "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (match,)).fetchone()[0])
        return real(match, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(wheat_store, "_rank_fts_first", counting)
    got = [i for i, _ in wheat_store.rank("wheat", SearchFilters(entity="INDIA"), 25)]
    assert seen == [8] and len(got) == 8
    assert got == _joined_rank(wheat_store, "wheat", 25, entity="India")
    tag = wheat_store.conn.execute("SELECT label FROM article_tags LIMIT 1").fetchone()[0]
    for value in (tag, tag.upper()):
        assert [i for i, _ in wheat_store.rank("wheat", SearchFilters(tag=value), 25)] == (
            _joined_rank(wheat_store, "wheat", 25, tag=value))


def test_migration_eleven_indexes_the_facets_of_articles_already_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A store from before facets: the migration fills the column from the tag and place
    rows and makes the full-text index again, originals only."""
    path = tmp_path / "v10.db"
    with monkeypatch.context() as m:
        m.setattr(sqlite_module, "MIGRATIONS", sqlite_module.MIGRATIONS[:10])
        old = SQLiteStore(path)
        for n, dup in ((1, None), (2, "a1")):
            old.conn.execute(
                "INSERT INTO articles (id, title, text, sentences, meta, content_hash, "
                "ingested_at, duplicate_of, published_utc) VALUES (?, ?, ?, '[]', '{}', ?, "
                "'2024-01-01', ?, '2024-01-01')",
                (f"a{n}", f"Wheat {n}", "Wheat exports rose.", f"h{n}", dup))
            old.conn.execute("INSERT INTO article_places (article_id, place, mentions) "
                             "VALUES (?, 'India', 1)", (f"a{n}",))
        old.conn.execute("INSERT INTO article_tags (article_id, tag, label, score) "
                         "VALUES ('a1', 'trade', 'Trade', 1.0)")
        old.conn.commit()
        old.close()
    s = SQLiteStore(path)
    assert s.schema_version == len(sqlite_module.MIGRATIONS)
    facets = dict(s.conn.execute("SELECT id, facets FROM articles").fetchall())
    assert set(facets["a1"].split()) == {
        facet_token("p", "India"), facet_token("t", "trade"), facet_token("t", "Trade"),
        facet_token("y", "2024")}
    assert facets["a2"] == ""  # a copy: not in the full-text index, no facets
    assert [i for i, _ in s.rank("wheat", SearchFilters(entity="India"))] == ["a1"]
    assert [i for i, _ in s.rank("wheat", SearchFilters(tag="Trade"))] == ["a1"]
    assert s.facet_keys(SearchFilters(entity="India")).tolist() == [  # type: ignore[union-attr]
        s.conn.execute("SELECT rowid FROM articles WHERE id = 'a1'").fetchone()[0]]
    assert [i for i, _ in s.rank("wheat", SearchFilters(since=datetime(2023, 6, 1, tzinfo=UTC)))
            ] == ["a1"]
    put(s, article("Wheat to India", "Wheat exports to India rose 4% in May.", "2024-06-01"))
    assert len(s.rank("wheat", SearchFilters(entity="India"))) == 2


def test_a_loose_filter_is_answered_from_a_small_window_a_strict_one_from_the_large(
    wheat_store: SQLiteStore,
) -> None:
    """Four times `limit` rows are ranked first; only when too few of them pass is the
    5,000-row window ranked, and only past that the joined query."""
    statements: list[str] = []
    wheat_store.conn.set_trace_callback(statements.append)
    try:
        def windows(**filters: object) -> list[str]:
            statements.clear()
            got = [i for i, _ in wheat_store.rank("wheat", SearchFilters(**filters), 5)]  # type: ignore[arg-type]
            assert got == _joined_rank(wheat_store, "wheat", 5, **filters)
            return [s.rsplit("LIMIT", 1)[1].strip() for s in statements
                    if s.startswith("SELECT rowid, bm25")]

        assert windows(since=datetime(2024, 3, 1, tzinfo=UTC)) == ["20"]
        assert windows(source="Rare Wire") == ["20", "5000"]
    finally:
        wheat_store.conn.set_trace_callback(None)


def test_date_filters_narrow_the_keyword_ranking_by_year_tokens(tmp_path: Path) -> None:
    """A date range of at most two years is ANDed into the MATCH as year tokens (UTC
    years: an article of 23:30 on New Year's Eve at -02:00 is of the next year); the
    answer is the joined query's at every boundary."""
    s = SQLiteStore(tmp_path / "y.db")
    days = ["2021-06-01T10:00:00+00:00", "2022-12-31T23:30:00-02:00", "2023-01-01T00:00:00+00:00",
            "2023-07-01T12:00:00+05:00", "2024-02-29T08:00:00+00:00", "2025-11-30T23:59:59+00:00"]
    for n, day in enumerate(days):
        put(s, article(f"Grain note {n}", f"Wheat exports rose {n + 1}% in May.", day))
    statements: list[str] = []
    s.conn.set_trace_callback(statements.append)
    for since, until in [((2023, 1, 1), None), ((2022, 12, 31), (2023, 1, 1)),
                         ((2024, 2, 29, 8), (2025, 11, 30, 23, 59, 59)), ((2021, 1, 1), None),
                         (None, (2023, 1, 1))]:
        f = {"since": datetime(*since, tzinfo=UTC) if since else None,  # type: ignore[misc]
             "until": datetime(*until, tzinfo=UTC) if until else None}  # type: ignore[misc]
        statements.clear()
        got = [i for i, _ in s.rank("wheat", SearchFilters(**f), 10)]
        assert got == _joined_rank(s, "wheat", 10, **f) and got, f
        first = facet_token("y", str(since[0])) if since else "zzy"
        uses_years = any(first in q for q in statements if "bm25" in q)
        span = len(range(since[0], (until or (2025,))[0] + 1)) if since else 0
        assert uses_years == (0 < span <= facets_module.MAX_YEARS), f
    s.conn.set_trace_callback(None)


def test_a_write_to_a_file_sqlite_opened_read_only_is_a_store_error(tmp_path: Path) -> None:
    """SQLite opens a file this process may not write (chmod 444, a read-only mount)
    read-only without a word; the first write then names the file and what to do,
    instead of an OperationalError, and nothing is half-written."""
    path = tmp_path / "d.db"
    put(SQLiteStore(path), article("First Story", "Grain exports rose 4% in May.", "2025-06-02"))
    store = SQLiteStore(path)
    store.conn.close()
    store.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    store.conn.row_factory = sqlite3.Row
    with pytest.raises(StoreError, match="read-only.*choose another file"):
        put(store, article("Second Story", "Coal imports fell 3% in June.", "2025-06-03"))
    assert store.stats()["articles"] == 1


def test_a_nul_in_a_phrase_separates_words(store: SQLiteStore) -> None:
    """The web passes ?q= through as sent: '"yuan\x00settlement"' was an FTS5 syntax
    error (unterminated string) and a 500."""
    hits = store.search('"yuan\x00settlement"', SearchFilters(), 5)
    assert hits == store.search('"yuan settlement"', SearchFilters(), 5)
    assert store.search("\x00", SearchFilters(), 5) == store.search("", SearchFilters(), 5)
