package io.facestream.gallery.search;

import java.io.IOException;
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
 * {@code jdk.incubator.vector} is on the module path. Also scores single documents for HNSW re-ranking.
 */
final class ExactScan {
    private ExactScan() {}

    /** Top k over the filter (null = every document that has the field). */
    static TopK.ScoredDoc[] topK(IndexSearcher searcher, String field, float[] unitProbe, Query filter, int k) throws IOException {
        TopK top = new TopK(k);
        Weight weight = filter == null ? null
                : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
            if (values == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            KnnVectorValues.DocIndexIterator vectors = values.iterator();
            if (weight == null) {
                for (int doc = vectors.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = vectors.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        top.offer(leaf.docBase + doc, VectorUtil.dotProduct(unitProbe, values.vectorValue(vectors.index())));
                    }
                }
                continue;
            }
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            DocIdSetIterator allowed = scorer.iterator();
            for (int doc = allowed.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = allowed.nextDoc()) {
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
        return top.sorted();
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
