package io.facestream.ops.bench;

import io.facestream.core.vector.Vectors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Face-like vectors for the gallery benchmark: identities whose centres lie near a 64-dimensional subspace (real
 * embeddings are far from isotropic), samples = centre + noise at about cosine 0.75 to the centre (same-person
 * variation), fresh queries = new samples of known identities, near-duplicate probes = a stored sample plus a little
 * noise (cosine about 0.95: the same face seen again). All rows are unit length; the raw norms vary like a model's.
 */
final class GalleryBenchData {
    static final int LATENT = 64;

    final int dim;
    final int samplesPerIdentity;
    final float[][] base;
    final float[] norms;
    final float[][] fresh;
    final float[][] dup;
    private final float[][] centres;

    GalleryBenchData(int n, int dim, int samplesPerIdentity, int queries, long seed) {
        this.dim = dim;
        this.samplesPerIdentity = samplesPerIdentity;
        int identities = (n + samplesPerIdentity - 1) / samplesPerIdentity;
        Random r = new Random(seed);
        float[][] mixing = new float[dim][LATENT];
        for (float[] row : mixing) {
            for (int j = 0; j < LATENT; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        centres = new float[identities][];
        IntStream.range(0, identities).parallel().forEach(i -> {
            Random ri = new Random(seed * 31 + i);
            float[] z = new float[LATENT];
            for (int j = 0; j < LATENT; j++) {
                z[j] = (float) ri.nextGaussian();
            }
            float[] c = new float[dim];
            for (int d = 0; d < dim; d++) {
                double s = 0;
                for (int j = 0; j < LATENT; j++) {
                    s += mixing[d][j] * z[j];
                }
                c[d] = (float) (s / Math.sqrt(LATENT) + 0.3 * ri.nextGaussian());
            }
            centres[i] = Vectors.normalizeInPlace(c);
        });
        base = new float[n][];
        norms = new float[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            Random ri = new Random(seed * 131 + i);
            base[i] = around(centres[i / samplesPerIdentity], 0.75, ri);
            norms[i] = (float) (10 + 20 * ri.nextDouble());
        });
        fresh = new float[queries][];
        dup = new float[queries][];
        IntStream.range(0, queries).parallel().forEach(q -> {
            Random rq = new Random(seed * 7 + q);
            fresh[q] = around(centres[rq.nextInt(identities)], 0.75, rq);
            dup[q] = around(base[rq.nextInt(n)], 0.95, rq);
        });
    }

    int identityOf(int i) {
        return i / samplesPerIdentity;
    }

    /** A unit vector at about the given cosine to {@code centre}. */
    private float[] around(float[] centre, double cosine, Random r) {
        // |noise|^2 = dim * s^2 and cos = 1 / sqrt(1 + dim * s^2)
        double s = Math.sqrt((1 / (cosine * cosine) - 1) / dim);
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (centre[d] + s * r.nextGaussian());
        }
        return Vectors.normalizeInPlace(v);
    }

    /** Exact top-k ids per query by brute force (in memory, all cores): the ground truth. */
    static int[][] exactTopK(float[][] base, float[][] queries, int k) {
        int[][] out = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> {
            float[] best = new float[k];
            int[] ids = new int[k];
            java.util.Arrays.fill(best, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < base.length; i++) {
                float s = org.apache.lucene.util.VectorUtil.dotProduct(queries[q], base[i]);
                if (s > best[k - 1]) {
                    int p = k - 1;
                    while (p > 0 && best[p - 1] < s) {
                        best[p] = best[p - 1];
                        ids[p] = ids[p - 1];
                        p--;
                    }
                    best[p] = s;
                    ids[p] = i;
                }
            }
            out[q] = ids;
        });
        return out;
    }

    static void writeF32(Path file, float[][] rows) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocate(rows[0].length * 4 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : rows) {
                if (buf.remaining() < row.length * 4) {
                    buf.flip();
                    ch.write(buf);
                    buf.clear();
                }
                for (float x : row) {
                    buf.putFloat(x);
                }
            }
            buf.flip();
            ch.write(buf);
        }
    }

    static void writeI32(Path file, int[][] rows) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf =
                    ByteBuffer.allocate(rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] row : rows) {
                for (int x : row) {
                    buf.putInt(x);
                }
            }
            buf.flip();
            ch.write(buf);
        }
    }
}
