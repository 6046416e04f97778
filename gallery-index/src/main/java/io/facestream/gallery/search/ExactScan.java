package io.facestream.gallery.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

/**
 * Brute-force cosine over every template vector that passes the filter: reads the float vectors straight from the
 * segment files and scores with Lucene's {@link VectorUtil}, which runs on the JDK Vector API (SIMD) when
 * {@code jdk.incubator.vector} is on the module path. A scan over many vectors is cut into doc-id slices scored on
 * several threads (one core does not saturate memory bandwidth); the merged top k is the same as a single thread's,
 * since ties are broken by doc id. Also scores single documents for HNSW re-ranking.
 */
final class ExactScan {
    /** Below this many vectors a scan stays on the caller's thread: handing slices over would cost more. */
    static final int PARALLEL_MIN_VECTORS = 16_384;

    private static final ExecutorService POOL = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().name("gallery-exact-scan").daemon().unstarted(r));

    private ExactScan() {}

    /** One leaf's doc ids {@code [from, to)}. */
    private record Slice(LeafReaderContext leaf, int from, int to) {}

    /** Top k over the filter (null = every document that has the field), on up to {@code threads} threads. */
    static TopK.ScoredDoc[] topK(
            IndexSearcher searcher, String field, float[] unitProbe, Query filter, int k, int threads)
            throws IOException {
        return topK(searcher, field, unitProbe, filter, k, threads, PARALLEL_MIN_VECTORS);
    }

    static TopK.ScoredDoc[] topK(
            IndexSearcher searcher,
            String field,
            float[] unitProbe,
            Query filter,
            int k,
            int threads,
            int parallelMinVectors)
            throws IOException {
        Weight weight = filter == null
                ? null
                : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        List<Slice> slices = slices(searcher, field, threads, parallelMinVectors);
        TopK top = new TopK(k);
        if (slices.size() <= 1 || threads <= 1) {
            for (Slice slice : slices) {
                scan(slice, field, unitProbe, weight, top);
            }
            return top.sorted();
        }
        List<Future<TopK>> others = new ArrayList<>();
        for (Slice slice : slices.subList(1, slices.size())) {
            others.add(POOL.submit(() -> {
                TopK mine = new TopK(k);
                scan(slice, field, unitProbe, weight, mine);
                return mine;
            }));
        }
        scan(slices.get(0), field, unitProbe, weight, top);
        for (Future<TopK> f : others) {
            try {
                for (TopK.ScoredDoc d : f.get().sorted()) {
                    top.offer(d.doc(), d.score());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                others.forEach(o -> o.cancel(true));
                throw new IllegalStateException("interrupted during an exact gallery scan", e);
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case RuntimeException re -> throw re;
                    default -> throw new IOException("exact gallery scan failed", e.getCause());
                }
            }
        }
        return top.sorted();
    }

    /** Every leaf with vectors; when there are many vectors, cut into about {@code threads} equal doc-id ranges. */
    private static List<Slice> slices(IndexSearcher searcher, String field, int threads, int parallelMinVectors)
            throws IOException {
        List<LeafReaderContext> leaves = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        long total = 0;
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
            if (values != null && values.size() > 0) {
                leaves.add(leaf);
                sizes.add(values.size());
                total += values.size();
            }
        }
        boolean split = threads > 1 && total >= parallelMinVectors;
        long perSlice = (total + threads - 1) / Math.max(1, threads);
        List<Slice> out = new ArrayList<>();
        for (int i = 0; i < leaves.size(); i++) {
            LeafReaderContext leaf = leaves.get(i);
            int maxDoc = leaf.reader().maxDoc();
            int parts = split ? (int) Math.max(1, Math.round((double) sizes.get(i) / perSlice)) : 1;
            for (int p = 0; p < parts; p++) {
                out.add(new Slice(leaf, (int) ((long) maxDoc * p / parts), (int) ((long) maxDoc * (p + 1) / parts)));
            }
        }
        return out;
    }

    private static void scan(Slice slice, String field, float[] unitProbe, Weight weight, TopK top) throws IOException {
        LeafReaderContext leaf = slice.leaf();
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        Bits live = leaf.reader().getLiveDocs();
        KnnVectorValues.DocIndexIterator vectors = values.iterator();
        if (weight == null) {
            for (int doc = vectors.advance(slice.from()); doc < slice.to(); doc = vectors.nextDoc()) {
                if (live == null || live.get(doc)) {
                    top.offer(
                            leaf.docBase + doc, VectorUtil.dotProduct(unitProbe, values.vectorValue(vectors.index())));
                }
            }
            return;
        }
        Scorer scorer = weight.scorer(leaf);
        if (scorer == null) {
            return;
        }
        DocIdSetIterator allowed = scorer.iterator();
        for (int doc = allowed.advance(slice.from()); doc < slice.to(); doc = allowed.nextDoc()) {
            if (live != null && !live.get(doc)) {
                continue;
            }
            if (vectors.docID() < doc) {
                vectors.advance(doc);
            }
            if (vectors.docID() == doc) {
                top.offer(leaf.docBase + doc, VectorUtil.dotProduct(unitProbe, values.vectorValue(vectors.index())));
            }
        }
    }

    /** Exact cosine of one document (global id), or NaN when it has no vector in the field. */
    static float score(IndexSearcher searcher, String field, float[] unitProbe, int globalDoc) throws IOException {
        var leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(globalDoc, leaves));
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        if (values == null) {
            return Float.NaN;
        }
        KnnVectorValues.DocIndexIterator it = values.iterator();
        int doc = globalDoc - leaf.docBase;
        if (it.advance(doc) != doc) {
            return Float.NaN;
        }
        return VectorUtil.dotProduct(unitProbe, values.vectorValue(it.index()));
    }
}
