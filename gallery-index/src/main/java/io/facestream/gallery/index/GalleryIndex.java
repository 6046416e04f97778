package io.facestream.gallery.index;

import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.template.TemplatePlan;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gallery on disk: one Lucene index ({@code <dir>/lucene}) and its crop store ({@code <dir>/crops}). Exactly one
 * thread applies changes (the replica); any number of threads search through near-real-time searchers that are
 * refreshed after each applied batch, so readers never wait for the writer. A commit records the topic offset to
 * resume from, which is what makes crash recovery exact.
 */
public final class GalleryIndex implements Closeable {
    public static final String LAYOUT_VERSION = "facestream.layout";
    public static final String NEXT_OFFSET = "facestream.gallery.next_offset";
    /**
     * Every model version's vector dimension, {@code name:version=dim;...}: kept with each commit because a model whose
     * vectors were all deleted leaves no segment to read it from, and a reopened replica must refuse the same vectors
     * as one that never stopped.
     */
    public static final String DIMENSIONS = "facestream.gallery.dimensions";

    private static final Logger log = LoggerFactory.getLogger(GalleryIndex.class);

    private final Path dir;
    private final IndexLayout layout = new LayoutV1();
    private final HnswSettings hnsw;
    private final double ramBufferMb;
    private final Directory directory;
    /** Replaced by {@link #reopenAtLastCommit} after a failure closed it; only the applying thread writes. */
    private volatile IndexWriter writer;
    /** Replaced together with the writer; readers take whichever is current (see {@link #withSearcher}). */
    private volatile SearcherManager searchers;

    private final CropStore crops;
    private final Map<String, GalleryKind> galleries = new ConcurrentHashMap<>();
    private final Set<String> subjects = ConcurrentHashMap.newKeySet();
    private final Map<ModelVersion, Integer> dimensions = new ConcurrentHashMap<>();
    private final Map<String, GalleryKey.OfSubject> dirtyBookings = new LinkedHashMap<>();
    private volatile Map<String, String> committedData;

    private GalleryIndex(Path dir, HnswSettings hnsw, double ramBufferMb) throws IOException {
        this.dir = dir;
        this.hnsw = hnsw;
        this.ramBufferMb = ramBufferMb;
        Files.createDirectories(dir);
        this.directory = FSDirectory.open(dir.resolve("lucene"));
        this.crops = new CropStore(dir.resolve("crops"));
        this.writer = new IndexWriter(directory, writerConfig());
        Map<String, String> committed = liveCommitData(writer);
        String layoutVersion = committed.get(LAYOUT_VERSION);
        if (layoutVersion != null && !layoutVersion.equals(Integer.toString(layout.version()))) {
            writer.rollback();
            directory.close();
            throw new IllegalStateException(
                    "gallery index " + dir + " was written with layout " + layoutVersion + "; this build reads layout "
                            + layout.version() + " (rebuild it from the topic into an empty directory)");
        }
        this.committedData = committed;
        this.searchers = new SearcherManager(writer, null);
        loadState(searchers, committed);
    }

    private IndexWriterConfig writerConfig() {
        KnnVectorsFormat format = hnsw.format();
        IndexWriterConfig iwc = new IndexWriterConfig()
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(ramBufferMb)
                .setCommitOnClose(false) // only commits that carry an offset may exist
                // plain files, not compound: vector files stay separately mmapped (and measurable per format)
                .setUseCompoundFile(false)
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                });
        iwc.getMergePolicy().setNoCFSRatio(0.0);
        if (iwc.getMergePolicy() instanceof org.apache.lucene.index.TieredMergePolicy tiered) {
            // erasure: forceMergeDeletes must rewrite every segment with a deleted document, not only those above 10 %
            tiered.setForceMergeDeletesPctAllowed(0.0);
        }
        return iwc;
    }

    private static Map<String, String> liveCommitData(IndexWriter w) {
        Map<String, String> committed = new HashMap<>();
        if (w.getLiveCommitData() != null) {
            w.getLiveCommitData().forEach(e -> committed.put(e.getKey(), e.getValue()));
        }
        return Map.copyOf(committed);
    }

    public static GalleryIndex open(Path dir, HnswSettings hnsw, double ramBufferMb) {
        try {
            return new GalleryIndex(dir, hnsw, ramBufferMb);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open gallery index " + dir, e);
        }
    }

    /**
     * Galleries, subjects and vector dimensions as the given searchers see them. Each map is brought to its new
     * content in place (added, then stale entries dropped), so a concurrent reader never sees an empty gallery list
     * while a reopened index loads.
     */
    private void loadState(SearcherManager from, Map<String, String> committed) throws IOException {
        Map<String, GalleryKind> g2 = new HashMap<>();
        Set<String> s2 = new java.util.HashSet<>();
        Map<ModelVersion, Integer> d2 = new HashMap<>();
        IndexSearcher s = from.acquire();
        try {
            for (ScoreDoc sd : s.search(layout.galleries(), Integer.MAX_VALUE).scoreDocs) {
                GalleryDefinition g = layout.readGallery(s.storedFields().document(sd.doc));
                g2.put(g.name(), g.kind());
            }
            Terms terms = MultiTerms.getTerms(s.getIndexReader(), layout.subjectRecordField());
            if (terms != null) {
                TermsEnum te = terms.iterator();
                for (BytesRef t = te.next(); t != null; t = te.next()) {
                    if (te.docFreq() > 0) {
                        s2.add(t.utf8ToString());
                    }
                }
            }
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                for (FieldInfo fi : leaf.reader().getFieldInfos()) {
                    if (fi.getVectorDimension() > 0 && fi.name.startsWith("vec.")) {
                        d2.putIfAbsent(modelOfField(fi.name), fi.getVectorDimension());
                    }
                }
            }
            // a model whose vectors were all deleted has no segment left to tell its dimension: the commit keeps it
            String dims = committed.get(DIMENSIONS);
            if (dims != null && !dims.isEmpty()) {
                for (String entry : dims.split(";")) {
                    int eq = entry.lastIndexOf('=');
                    d2.putIfAbsent(
                            ModelVersion.parse(entry.substring(0, eq)), Integer.parseInt(entry.substring(eq + 1)));
                }
            }
            // terms of deleted subjects may linger until merges; keep only subjects that still have a live record
            List<String> gone = new ArrayList<>();
            for (String key : s2) {
                if (s.count(new TermQuery(layout.record(GalleryKey.parse(key)))) == 0) {
                    gone.add(key);
                }
            }
            gone.forEach(s2::remove);
        } finally {
            from.release(s);
        }
        galleries.putAll(g2);
        galleries.keySet().retainAll(g2.keySet());
        subjects.addAll(s2);
        subjects.retainAll(s2);
        dimensions.putAll(d2);
        dimensions.keySet().retainAll(d2.keySet());
        dirtyBookings.clear();
    }

    private static ModelVersion modelOfField(String field) {
        String rest = field.substring("vec.".length());
        int dot = rest.indexOf('.');
        return new ModelVersion(rest.substring(0, dot), rest.substring(dot + 1));
    }

    /**
     * Where to resume the topic: the offset after the last record in the commit this index was opened (or last
     * reopened) at; empty for a new index.
     */
    public OptionalLong committedNextOffset() {
        String next = committedData.get(NEXT_OFFSET);
        return next == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(next));
    }

    /**
     * The user data of the commit this index was opened (or last reopened) at, empty for a new index: the layout, the
     * next offset and what the replica adds.
     */
    public Map<String, String> committedData() {
        return committedData;
    }

    /**
     * Whether the Lucene writer can still take changes. An IO error inside Lucene that may have lost buffered changes
     * (a failed segment flush: disk full) is a "tragic event" that closes the writer; only {@link #reopenAtLastCommit}
     * helps then. An IO error in the crop store, or one Lucene refused before changing anything, leaves it usable.
     */
    public boolean writerUsable() {
        IndexWriter w = writer;
        return w.isOpen() && w.getTragicException() == null;
    }

    /**
     * Throws away everything applied since the last commit and opens that commit again: a new Lucene writer, new
     * searchers, galleries/subjects/dimensions reloaded. Crop files written since stay; replaying the topic from
     * {@link #committedNextOffset} rewrites or deletes them. Searches in flight finish on the old searchers.
     */
    public void reopenAtLastCommit() {
        IndexWriter old = writer;
        try {
            old.rollback();
        } catch (IOException | RuntimeException e) {
            log.warn("rolling back the failed gallery index writer on {}: {}", dir, e.toString());
        }
        try {
            IndexWriter w = new IndexWriter(directory, writerConfig());
            SearcherManager m;
            try {
                m = new SearcherManager(w, null);
                loadState(m, liveCommitData(w));
            } catch (IOException | RuntimeException e) {
                w.rollback();
                throw e;
            }
            SearcherManager previous = searchers;
            committedData = liveCommitData(w);
            writer = w;
            searchers = m;
            try {
                previous.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing the searchers of the failed writer: {}", e.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen gallery index " + dir + " at its last commit", e);
        }
    }

    /**
     * Empties the index and the crop store (not committed until the next {@link #commit}): the first step of a rebuild
     * from the topic's beginning. Searches see the emptied index after the next {@link #finishBatch}.
     */
    public void clear() {
        try {
            writer.deleteAll();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear gallery index " + dir, e);
        }
        crops.clear();
        galleries.clear();
        subjects.clear();
        dimensions.clear();
        dirtyBookings.clear();
    }

    /**
     * Applies one change. Throws {@link GalleryInputException} (and changes nothing) for a change the gallery
     * refuses: unknown gallery or subject, a kind change, a vector whose dimension differs from its model's.
     */
    public void apply(GalleryChange change) {
        try {
            switch (change) {
                case GalleryChange.DefineGallery d -> define(d.gallery());
                case GalleryChange.PutSubject p -> putSubject(p.subject());
                case GalleryChange.PutMedium p -> putMedium(p.medium());
                case GalleryChange.Remove r -> remove(r.key());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply " + change.key().text() + " to " + dir, e);
        }
    }

    private void define(GalleryDefinition g) throws IOException {
        GalleryKind existing = galleries.get(g.name());
        if (existing != null && existing != g.kind()) {
            throw new GalleryInputException("gallery '" + g.name() + "' is " + existing + "; its kind cannot change to "
                    + g.kind() + " (delete the gallery and create it again)");
        }
        writer.updateDocument(layout.record(g.key()), layout.gallery(g));
        galleries.put(g.name(), g.kind());
    }

    private void putSubject(Subject s) throws IOException {
        requireGallery(s.gallery(), "subject " + s.key().text());
        writer.updateDocument(layout.record(s.key()), layout.subject(s));
        subjects.add(s.key().text());
    }

    private void putMedium(Medium m) throws IOException {
        String what = "medium " + m.key().text();
        GalleryKind kind = requireGallery(m.gallery(), what);
        if (!subjects.contains(m.key().parent().text())) {
            throw new GalleryInputException(
                    what + ": subject '" + m.subjectId() + "' is not enrolled in gallery '" + m.gallery() + "'");
        }
        for (Embedding e : m.embeddings()) {
            requireDimension(e, what);
        }
        // index first: a document Lucene refuses (IllegalArgumentException) must leave dimensions and crops unchanged
        writer.updateDocument(layout.record(m.key()), layout.medium(m, kind));
        for (Embedding e : m.embeddings()) {
            dimensions.putIfAbsent(e.model(), e.dimension());
        }
        crops.write(m.key(), m.crops());
        if (kind.fusesSubject()) {
            dirtyBookings.put(m.key().parent().text(), m.key().parent());
        }
    }

    private void remove(GalleryKey key) throws IOException {
        writer.deleteDocuments(layout.lineage(key));
        crops.delete(key);
        switch (key) {
            case GalleryKey.OfGallery g -> {
                galleries.remove(g.gallery());
                subjects.removeIf(s -> s.startsWith(g.gallery() + "/"));
                dirtyBookings.keySet().removeIf(s -> s.startsWith(g.gallery() + "/"));
            }
            case GalleryKey.OfSubject s -> {
                subjects.remove(s.text());
                dirtyBookings.remove(s.text());
            }
            case GalleryKey.OfMedium m -> {
                if (galleries.get(m.gallery()) == GalleryKind.BOOKING
                        && subjects.contains(m.parent().text())) {
                    dirtyBookings.put(m.parent().text(), m.parent());
                }
            }
        }
    }

    private GalleryKind requireGallery(String gallery, String what) {
        GalleryKind kind = galleries.get(gallery);
        if (kind == null) {
            throw new GalleryInputException(what + ": gallery '" + gallery + "' does not exist (known: "
                    + new java.util.TreeSet<>(galleries.keySet()) + ")");
        }
        return kind;
    }

    /** Refuses a vector whose dimension differs from the one its model version already has in this index. */
    public void requireDimension(Embedding e, String what) {
        Integer dim = dimensions.get(e.model());
        if (dim != null && dim != e.dimension()) {
            throw new GalleryInputException(what + ": model " + e.model() + " vectors have " + dim
                    + " dimensions in this gallery index, got " + e.dimension());
        }
    }

    /** Ends a batch of {@link #apply} calls: re-fuses the BOOKING templates it touched, then refreshes searchers. */
    public void finishBatch() {
        try {
            if (!dirtyBookings.isEmpty()) {
                searchers.maybeRefreshBlocking();
                for (GalleryKey.OfSubject subject : dirtyBookings.values()) {
                    rebuildBookingTemplate(subject);
                }
                dirtyBookings.clear();
            }
            searchers.maybeRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish a batch on " + dir, e);
        }
    }

    private void rebuildBookingTemplate(GalleryKey.OfSubject subject) throws IOException {
        List<Medium> media = mediaOf(subject);
        TemplatePlan.Template t = TemplatePlan.forSubject(media);
        if (t.vectors().isEmpty()) {
            writer.deleteDocuments(layout.templateOf(subject));
        } else {
            writer.updateDocument(layout.templateOf(subject), layout.bookingTemplate(subject, t));
        }
    }

    /** Makes everything applied so far durable, together with the topic offset to resume from. */
    public void commit(long nextOffset) {
        commit(nextOffset, Map.of());
    }

    /**
     * Makes everything applied so far durable, together with the topic offset to resume from and {@code extra} commit
     * data (the replica's: which topic, when it was last caught up). The crop files written since the last commit
     * are fsynced first (files and their directories), so a commit never points at crops a power cut could lose.
     */
    public void commit(long nextOffset, Map<String, String> extra) {
        finishBatch();
        crops.sync();
        Map<String, String> data = new LinkedHashMap<>(extra);
        data.put(LAYOUT_VERSION, Integer.toString(layout.version()));
        data.put(NEXT_OFFSET, Long.toString(nextOffset));
        data.put(
                DIMENSIONS,
                String.join(
                        ";",
                        new java.util.TreeMap<>(dimensions)
                                .entrySet().stream()
                                        .map(e -> e.getKey() + "=" + e.getValue())
                                        .toList()));
        writer.setLiveCommitData(data.entrySet());
        try {
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit gallery index " + dir, e);
        }
    }

    /**
     * Rewrites every segment that holds deleted documents without them, and refreshes the searchers: Lucene only marks
     * a deleted document, its stored fields, terms and vectors stay in the files until a merge. The next commit
     * releases the old files (erasure: a deleted subject's data leaves the disk).
     */
    public void forceMergeDeletes() {
        try {
            writer.forceMergeDeletes(true);
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge deletes in gallery index " + dir, e);
        }
    }

    /** Merges the index down to few segments: one HNSW graph per segment means fewer graphs to search. */
    public void forceMerge(int maxSegments) {
        try {
            writer.forceMerge(maxSegments);
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge gallery index " + dir, e);
        }
    }

    /** Segments of the index as searched now (each has its own HNSW graph). */
    public int segments() {
        return withSearcher(s -> s.getIndexReader().leaves().size());
    }

    /**
     * Starts merging the index down to {@code maxSegments} on Lucene's merge threads and returns at once; writes and
     * searches go on meanwhile. {@link #merging} says when it is done; {@link #refresh} then shows the merged segment.
     */
    public void mergeInBackground(int maxSegments) {
        try {
            writer.forceMerge(maxSegments, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge gallery index " + dir, e);
        }
    }

    /** Whether a merge is running or waiting to run. */
    public boolean merging() {
        return writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty();
    }

    /** Lets searches see what the writer has now (merged segments included). */
    public void refresh() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh gallery index searchers " + dir, e);
        }
    }

    /**
     * A token for the index content searches see now: the same object as long as no refresh (and no reopen) has made
     * new content visible, another one after. Two equal tokens mean a search in between saw the same segments, so the
     * same query found the same hits (HNSW searches are deterministic on the same segments).
     */
    public Object searchedContent() {
        return withSearcher(s -> s.getIndexReader().getReaderCacheHelper().getKey());
    }

    /** Runs a read on the newest searcher; never blocks the writer. */
    public <T> T withSearcher(Function<IndexSearcher, T> read) {
        try {
            SearcherManager m;
            IndexSearcher s;
            while (true) {
                m = searchers;
                try {
                    s = m.acquire();
                    break;
                } catch (org.apache.lucene.store.AlreadyClosedException e) {
                    if (m == searchers) {
                        throw e; // closed for good, not replaced by a reopen
                    }
                }
            }
            try {
                return read.apply(s);
            } finally {
                m.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a searcher on " + dir, e);
        }
    }

    public List<Medium> mediaOf(GalleryKey.OfSubject subject) {
        return withSearcher(s -> {
            try {
                List<Medium> out = new ArrayList<>();
                TopDocs docs = s.search(layout.mediaOf(subject), Integer.MAX_VALUE);
                for (ScoreDoc sd : docs.scoreDocs) {
                    out.add(withoutCrops(s.storedFields().document(sd.doc)));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * A stored medium without its crops (they stay on disk), except a medium that has no vector yet: its crops are all
     * it is (it waits to be embedded), and a medium is never without both.
     */
    private Medium withoutCrops(Document d) {
        try {
            return layout.readMedium(d, List.of());
        } catch (GalleryInputException cropsOnly) {
            GalleryKey key = layout.keyOf(d).orElseThrow(() -> cropsOnly);
            if (!(key instanceof GalleryKey.OfMedium m)) {
                throw cropsOnly;
            }
            return layout.readMedium(d, crops.read(m));
        }
    }

    /** A medium as stored, crops included. */
    public Optional<Medium> medium(GalleryKey.OfMedium key) {
        return withSearcher(s -> {
            try {
                TopDocs docs = s.search(new TermQuery(layout.record(key)), 1);
                if (docs.scoreDocs.length == 0) {
                    return Optional.empty();
                }
                Document d = s.storedFields().document(docs.scoreDocs[0].doc);
                return Optional.of(layout.readMedium(d, crops.read(key)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public Optional<Subject> subject(GalleryKey.OfSubject key) {
        return withSearcher(s -> {
            try {
                TopDocs docs = s.search(new TermQuery(layout.record(key)), 1);
                return docs.scoreDocs.length == 0
                        ? Optional.empty()
                        : Optional.of(layout.readSubject(s.storedFields().document(docs.scoreDocs[0].doc)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public Optional<GalleryKind> kindOf(String gallery) {
        return Optional.ofNullable(galleries.get(gallery));
    }

    public Set<String> galleryNames() {
        return Set.copyOf(galleries.keySet());
    }

    /** A gallery's definition as replicated: kind and metadata (open-set thresholds included). */
    public Optional<GalleryDefinition> definition(String gallery) {
        if (!galleries.containsKey(gallery)) {
            return Optional.empty();
        }
        return withSearcher(s -> {
            try {
                // the gallery's own record by its key: the match service asks for every decision (its threshold), and
                // asking for all definitions with a top-n of "everything" made Lucene size its queue by the whole index
                for (ScoreDoc sd : s.search(
                                new org.apache.lucene.search.TermQuery(
                                        layout.record(new GalleryKey.OfGallery(gallery))),
                                1)
                        .scoreDocs) {
                    GalleryDefinition g = layout.readGallery(s.storedFields().document(sd.doc));
                    if (g.name().equals(gallery)) {
                        return Optional.of(g);
                    }
                }
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public boolean hasSubject(GalleryKey.OfSubject key) {
        return subjects.contains(key.text());
    }

    public OptionalInt dimension(ModelVersion model) {
        Integer d = dimensions.get(model);
        return d == null ? OptionalInt.empty() : OptionalInt.of(d);
    }

    /** Model versions that have (or had) vectors in this index. */
    public List<ModelVersion> models() {
        return dimensions.keySet().stream().sorted().toList();
    }

    /** The records strictly below a key, deepest level first: what a cascading delete tombstones one by one. */
    public List<GalleryKey> keysBelow(GalleryKey key) {
        return withSearcher(s -> {
            try {
                List<GalleryKey> out = new ArrayList<>();
                for (ScoreDoc sd : s.search(new TermQuery(layout.lineage(key)), Integer.MAX_VALUE).scoreDocs) {
                    Document d = s.storedFields().document(sd.doc);
                    layout.keyOf(d).filter(k -> !k.equals(key)).ifPresent(out::add);
                }
                out.sort(java.util.Comparator.comparingInt(
                                (GalleryKey k) -> k.lineage().size())
                        .reversed());
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public IndexLayout layout() {
        return layout;
    }

    public CropStore crops() {
        return crops;
    }

    public Path directory() {
        return dir;
    }

    /** Closes without committing: what was applied since the last commit is replayed from the topic next time. */
    @Override
    public void close() {
        try {
            searchers.close();
        } catch (IOException | RuntimeException e) {
            log.warn("closing the searchers of gallery index {}: {}", dir, e.toString());
        }
        try {
            if (writerUsable()) {
                writer.close();
            } else {
                writer.rollback(); // a failed writer: nothing of it is kept, the last commit stays
            }
        } catch (IOException | RuntimeException e) {
            log.warn("closing gallery index {}: {}", dir, e.toString());
        }
        try {
            directory.close();
        } catch (IOException e) {
            log.warn("closing gallery index {}: {}", dir, e.toString());
        }
    }

    /** The commit data of the last commit in a directory, read without opening a writer (for tools and tests). */
    public static Map<String, String> lastCommitData(Path dir) {
        try (Directory d = FSDirectory.open(dir.resolve("lucene"))) {
            if (!DirectoryReader.indexExists(d)) {
                return Map.of();
            }
            List<org.apache.lucene.index.IndexCommit> commits = DirectoryReader.listCommits(d);
            return commits.get(commits.size() - 1).getUserData();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read commits of " + dir, e);
        }
    }
}
