package io.facestream.gallery.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sliced, multi-threaded exact scan returns exactly what one thread returns: same documents, same scores, same
 * order, over several segments with deleted documents, documents without a vector, a filter, and ties.
 */
class ExactScanTest {
    private static final int DOCS = 3_000, DIM = 32;
    private static ByteBuffersDirectory dir;
    private static DirectoryReader reader;
    private static float[][] vectors;

    @BeforeAll
    static void index() throws Exception {
        dir = new ByteBuffersDirectory();
        SplittableRandom rnd = new SplittableRandom(7);
        vectors = new float[DOCS][];
        try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
            for (int i = 0; i < DOCS; i++) {
                Document d = new Document();
                d.add(new StringField("id", Integer.toString(i), Field.Store.YES));
                d.add(new StringField("half", i % 2 == 0 ? "even" : "odd", Field.Store.NO));
                if (i % 17 != 0) {
                    // every 50th vector repeats an earlier one: equal scores, broken by doc id
                    float[] v = i % 50 == 49
                            ? (vectors[i - 40] != null ? vectors[i - 40] : vectors[i - 39]).clone()
                            : random(rnd);
                    vectors[i] = v;
                    d.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.DOT_PRODUCT));
                }
                w.addDocument(d);
                if (i % 700 == 699) {
                    w.commit(); // several segments
                }
            }
            for (int i = 5; i < DOCS; i += 97) {
                w.deleteDocuments(new Term("id", Integer.toString(i)));
            }
        }
        reader = DirectoryReader.open(dir);
    }

    @AfterAll
    static void close() throws Exception {
        reader.close();
        dir.close();
    }

    private static float[] random(SplittableRandom rnd) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) (rnd.nextDouble() - 0.5);
        }
        VectorUtil.l2normalize(v);
        return v;
    }

    @Test
    void slicesOnSeveralThreadsFindWhatOneThreadFinds() throws Exception {
        IndexSearcher s = new IndexSearcher(reader);
        assertTrue(
                reader.leaves().size() >= 4,
                "several segments: " + reader.leaves().size());
        SplittableRandom rnd = new SplittableRandom(11);
        Query evens = new TermQuery(new Term("half", "even"));
        for (int q = 0; q < 20; q++) {
            float[] probe = q % 5 == 0 ? vectors[9].clone() : random(rnd);
            for (Query filter : new Query[] {null, evens}) {
                for (int k : new int[] {1, 10, 200}) {
                    TopK.ScoredDoc[] one = ExactScan.topK(s, "v", probe, filter, k, 1, 0);
                    for (int threads : new int[] {2, 3, 8}) {
                        TopK.ScoredDoc[] many = ExactScan.topK(s, "v", probe, filter, k, threads, 0);
                        assertArrayEquals(one, many, "k=" + k + " threads=" + threads + " filter=" + filter);
                    }
                    assertEquals(k, one.length);
                }
            }
        }
    }

    @Test
    void theResultIsTheBruteForceTopK() throws Exception {
        IndexSearcher s = new IndexSearcher(reader);
        float[] probe = random(new SplittableRandom(3));
        TopK.ScoredDoc[] got = ExactScan.topK(s, "v", probe, null, 5, 3, 0);
        // expected from the raw vectors, skipping deleted documents and documents without a vector
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < DOCS; i++) {
            if (vectors[i] != null && !((i - 5) % 97 == 0 && i >= 5)) {
                best = Math.max(best, VectorUtil.dotProduct(probe, vectors[i]));
            }
        }
        assertEquals(best, got[0].score(), 1e-6);
        String id = s.storedFields().document(got[0].doc()).get("id");
        assertEquals(best, VectorUtil.dotProduct(probe, vectors[Integer.parseInt(id)]), 1e-6);
    }
}
