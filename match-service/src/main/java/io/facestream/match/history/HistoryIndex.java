package io.facestream.match.history;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.topics.TopicCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The match history on disk: one Lucene document per decision, keyed by its match id (a later record with the same
 * id replaces the earlier), with the decision's fields indexed for the filters, its capture time and id as doc
 * values for the newest-first order, and the Match JSON stored. The commit's user data holds what the caller says it
 * covers (the consumed offsets), so the index and its position in the topic are committed together.
 *
 * <p>Thread-safe: writes go through Lucene's writer, reads through a {@link SearcherManager}; {@link #refresh()}
 * makes written decisions visible. Writes come from one thread (the history's), which is also the only one to
 * {@link #reopen()}; a read that meets the closed searchers of the index being reopened takes the new ones.
 */
final class HistoryIndex implements AutoCloseable {
    static final String MATCH_ID = "match_id";
    private static final String CAMERA = "camera";
    private static final String TRACK = "track";
    private static final String SUBJECT = "subject";
    private static final String GALLERY = "gallery";
    private static final String DECISION = "decision";
    private static final String STAGE = "stage";
    private static final String LATE = "late";
    /** {@code <gallery>/<subject>} of every candidate: what an erasure looks for. */
    private static final String CANDIDATE = "candidate";

    private static final String BEST_FACE = "best_face";
    private static final String HAS_FACE = "has_face";
    private static final String START = "start_us";
    private static final String END = "end_us";
    private static final String JSON = "json";

    private static final Sort NEWEST_FIRST = new Sort(
            new SortField(END, SortField.Type.LONG, true), new SortField(MATCH_ID, SortField.Type.STRING, true));

    /** The directory, writer and searchers of one opening of the index, replaced as a whole by {@link #reopen()}. */
    private record Open(Directory directory, IndexWriter writer, SearcherManager searchers) {}

    private final Path dir;
    private final DirectoryOpener opener;
    private volatile Open open;
    private final Serializer<Match> json = JsonSerde.match().serializer();
    private final Deserializer<Match> fromJson = JsonSerde.match().deserializer();

    /** A page of decisions, newest first; {@code next} is null on the last page. */
    record Page(List<Match> matches, long total, HistoryQuery.Cursor next) {}

    /** How the index's directory is opened: {@link FSDirectory#open}, or a wrapper in a test that fails its writes. */
    interface DirectoryOpener {
        Directory open(Path dir) throws IOException;
    }

    HistoryIndex(Path dir) {
        this(dir, FSDirectory::open);
    }

    HistoryIndex(Path dir, DirectoryOpener opener) {
        this.dir = dir;
        this.opener = opener;
        try {
            Files.createDirectories(dir);
            open = openAt(dir, opener);
        } catch (org.apache.lucene.store.LockObtainFailedException e) {
            throw new IllegalStateException(
                    "the match history index in " + dir + " is in use by another match"
                            + " service: give each instance its own match.state-dir, or set match.history.enabled=false",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the match history index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Open openAt(Path dir, DirectoryOpener opener) throws IOException {
        Directory directory = opener.open(dir);
        try {
            IndexWriter writer = new IndexWriter(
                    directory,
                    new IndexWriterConfig()
                            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                            // only an explicit commit says which offsets the documents cover
                            .setCommitOnClose(false));
            return new Open(directory, writer, new SearcherManager(writer, null));
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /**
     * Drops everything written since the last commit and opens the index again at that commit. After an IO error (a
     * full disk) Lucene's writer may have closed itself, or hold documents whose commit failed; the caller reads the
     * topic again from the commit's offsets. Fails, leaving the index closed for writing, while the error persists:
     * call again.
     */
    void reopen() throws IOException {
        Open old = open;
        try {
            old.writer().rollback();
        } catch (IOException | RuntimeException e) {
            // a writer closed by the error rolls back nothing; its lock is released either way
        }
        open = openAt(dir, opener);
        try {
            old.searchers().close();
        } catch (IOException | RuntimeException e) {
            // searchers of a writer that is gone: nothing to keep
        }
        old.directory().close();
    }

    /** A search on a searcher of the current opening, released after; retried once on the new one during a reopen. */
    private <T> T withSearcher(Search<T> search) throws IOException {
        while (true) {
            Open o = open;
            IndexSearcher s;
            try {
                s = o.searchers().acquire();
            } catch (org.apache.lucene.store.AlreadyClosedException e) {
                if (o == open) {
                    throw e;
                }
                continue;
            }
            try {
                return search.on(s);
            } finally {
                o.searchers().release(s);
            }
        }
    }

    private interface Search<T> {
        T on(IndexSearcher s) throws IOException;
    }

    private IndexWriter writer() {
        return open.writer();
    }

    /** The user data of the last commit (empty for a new index). */
    Map<String, String> committedData() {
        Map<String, String> out = new HashMap<>();
        Iterable<Map.Entry<String, String>> data = writer().getLiveCommitData();
        if (data != null) {
            data.forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    void put(Match m) throws IOException {
        writer().updateDocument(new Term(MATCH_ID, m.matchId()), document(m));
    }

    private Document document(Match m) {
        Document d = new Document();
        d.add(new StringField(MATCH_ID, m.matchId(), Field.Store.NO));
        d.add(new SortedDocValuesField(MATCH_ID, new BytesRef(m.matchId())));
        d.add(new StringField(CAMERA, m.cameraId(), Field.Store.NO));
        if (m.trackId() != null) {
            d.add(new StringField(TRACK, m.trackId(), Field.Store.NO));
        }
        String gallery = m.gallery() == null ? "" : m.gallery();
        if (m.gallery() != null) {
            d.add(new StringField(GALLERY, gallery, Field.Store.NO));
        }
        d.add(new StringField(DECISION, m.decision().name(), Field.Store.NO));
        d.add(new StringField(STAGE, m.stage().name(), Field.Store.NO));
        d.add(new StringField(LATE, Boolean.toString(m.late()), Field.Store.NO));
        if (m.decision() == Match.Decision.HIT && m.best() != null) {
            d.add(new StringField(SUBJECT, m.best().subjectId(), Field.Store.NO));
        }
        for (Match.Candidate c : m.candidates()) {
            d.add(new StringField(CANDIDATE, gallery + "/" + c.subjectId(), Field.Store.NO));
        }
        if (m.bestFace() != null) {
            d.add(new StringField(BEST_FACE, m.bestFace(), Field.Store.NO));
            d.add(new StringField(HAS_FACE, "true", Field.Store.NO));
        }
        d.add(new LongPoint(START, m.startTsUs()));
        d.add(new LongPoint(END, m.endTsUs()));
        d.add(new NumericDocValuesField(END, m.endTsUs()));
        d.add(new StoredField(JSON, json.serialize(TopicCatalog.MATCHES, m)));
        return d;
    }

    /** Commits everything written so far with {@code data} as the commit's user data. */
    void commit(Map<String, String> data) throws IOException {
        IndexWriter w = writer();
        w.setLiveCommitData(Map.copyOf(data).entrySet());
        w.commit();
    }

    /** Rewrites deleted documents out of the segment files (an erasure's bytes leave the disk at the next commit). */
    void forceMergeDeletes() throws IOException {
        writer().forceMergeDeletes(true);
    }

    void refresh() throws IOException {
        open.searchers().maybeRefreshBlocking();
    }

    void deleteAll() throws IOException {
        writer().deleteAll();
    }

    Page query(HistoryQuery q) throws IOException {
        Query query = filter(q);
        return withSearcher(s -> {
            long total = s.count(query);
            org.apache.lucene.search.TopDocs top = q.after() == null
                    ? s.search(query, q.limit() + 1, NEWEST_FIRST)
                    : s.searchAfter(
                            // the match id is unique, so the doc id never breaks a tie; the last one skips the
                            // cursor's own decision (Lucene wants an id within the reader)
                            new FieldDoc(Math.max(0, s.getIndexReader().maxDoc() - 1), Float.NaN, new Object[] {
                                q.after().endTsUs(), new BytesRef(q.after().matchId())
                            }),
                            query,
                            q.limit() + 1,
                            NEWEST_FIRST);
            List<Match> out = new ArrayList<>();
            for (int i = 0; i < Math.min(q.limit(), top.scoreDocs.length); i++) {
                out.add(read(s, top.scoreDocs[i]));
            }
            HistoryQuery.Cursor next = null;
            if (top.scoreDocs.length > q.limit()) {
                Match last = out.get(out.size() - 1);
                next = new HistoryQuery.Cursor(last.endTsUs(), last.matchId());
            }
            return new Page(out, total, next);
        });
    }

    private Match read(IndexSearcher s, ScoreDoc sd) throws IOException {
        BytesRef b = s.storedFields().document(sd.doc).getBinaryValue(JSON);
        byte[] bytes = new byte[b.length];
        System.arraycopy(b.bytes, b.offset, bytes, 0, b.length);
        return fromJson.deserialize(TopicCatalog.MATCHES, bytes);
    }

    private static Query filter(HistoryQuery q) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        boolean any = false;
        any |= term(b, CAMERA, q.camera());
        any |= term(b, SUBJECT, q.subject());
        any |= term(b, GALLERY, q.gallery());
        any |= term(b, DECISION, q.decision() == null ? null : q.decision().name());
        any |= term(b, STAGE, q.stage() == null ? null : q.stage().name());
        any |= term(b, TRACK, q.track());
        any |= term(b, LATE, q.late() == null ? null : q.late().toString());
        if (q.fromUs() != null) {
            b.add(LongPoint.newRangeQuery(END, q.fromUs(), Long.MAX_VALUE), BooleanClause.Occur.FILTER);
            any = true;
        }
        if (q.toUs() != null) {
            b.add(LongPoint.newRangeQuery(START, Long.MIN_VALUE, q.toUs()), BooleanClause.Occur.FILTER);
            any = true;
        }
        return any ? b.build() : new MatchAllDocsQuery();
    }

    private static boolean term(BooleanQuery.Builder b, String field, String value) {
        if (value == null) {
            return false;
        }
        b.add(new TermQuery(new Term(field, value)), BooleanClause.Occur.FILTER);
        return true;
    }

    /**
     * Drops the best face of every decision naming the subject (any candidate; {@code subjectId} null: any decision
     * of the gallery).
     *
     * @return how many decisions lost their face data
     */
    int erase(String gallery, String subjectId) throws IOException {
        Query who = subjectId == null
                ? new TermQuery(new Term(GALLERY, gallery))
                : new TermQuery(new Term(CANDIDATE, gallery + "/" + subjectId));
        return stripFaces(who);
    }

    /** Rewrites every decision matching {@code which} that still has a best face without it. */
    private int stripFaces(Query which) throws IOException {
        refresh();
        Query q = new BooleanQuery.Builder()
                .add(which, BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(HAS_FACE, "true")), BooleanClause.Occur.FILTER)
                .build();
        int n = withSearcher(s -> {
            int stripped = 0;
            for (ScoreDoc sd : s.search(q, Integer.MAX_VALUE).scoreDocs) {
                put(read(s, sd).withoutBestFace());
                stripped++;
            }
            return stripped;
        });
        if (n > 0) {
            refresh();
        }
        return n;
    }

    /** Deletes every decision whose track's last face is older than {@code cutoffUs} (capture time). */
    long deleteOlderThan(long cutoffUs) throws IOException {
        Query old = LongPoint.newRangeQuery(END, Long.MIN_VALUE, cutoffUs - 1);
        long n = withSearcher(s -> (long) s.count(old));
        if (n > 0) {
            writer().deleteDocuments(old);
            refresh();
        }
        return n;
    }

    /** Drops the best face of every decision other than a HIT whose track's last face is older than {@code cutoffUs}. */
    int stripUnknownOlderThan(long cutoffUs) throws IOException {
        Query q = new BooleanQuery.Builder()
                .add(LongPoint.newRangeQuery(END, Long.MIN_VALUE, cutoffUs - 1), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(DECISION, Match.Decision.HIT.name())), BooleanClause.Occur.MUST_NOT)
                .build();
        return stripFaces(q);
    }

    /**
     * Whether {@code faces/<partition>/<offset>} is the best face of a HIT in the history, or of another decision whose
     * track's last face is not older than {@code unknownCutoffUs} (the sweep may not have dropped it yet).
     */
    boolean isBestFace(int partition, long offset, long unknownCutoffUs) throws IOException {
        Query shown = new BooleanQuery.Builder()
                .add(
                        new TermQuery(new Term(BEST_FACE, "faces/" + partition + "/" + offset)),
                        BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(DECISION, Match.Decision.HIT.name())), BooleanClause.Occur.SHOULD)
                .add(LongPoint.newRangeQuery(END, unknownCutoffUs, Long.MAX_VALUE), BooleanClause.Occur.SHOULD)
                .setMinimumNumberShouldMatch(1)
                .build();
        return withSearcher(s -> s.count(shown) > 0);
    }

    /** Decisions in the history (as of the last refresh). */
    int size() throws IOException {
        return withSearcher(s -> s.getIndexReader().numDocs());
    }

    @Override
    public void close() throws IOException {
        Open o = open;
        try {
            o.searchers().close();
        } finally {
            try {
                o.writer().close();
            } finally {
                o.directory().close();
            }
        }
    }
}
