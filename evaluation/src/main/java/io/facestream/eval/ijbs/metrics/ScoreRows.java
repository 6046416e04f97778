package io.facestream.eval.ijbs.metrics;

import io.facestream.core.vector.Vectors;

/**
 * The probe × gallery score matrix, one probe row at a time (rows are never all held at once: TinyFace's is
 * 3,728 × 157,871).
 */
@FunctionalInterface
public interface ScoreRows {

    /** Scores of probe {@code probe} against every gallery column. */
    double[] row(int probe);

    /**
     * Inner products of probe vectors with gallery vectors (adaface.md §5c, "Scores"), in double precision from the
     * float32 unit templates (core's {@code Vectors.dot}).
     */
    static ScoreRows innerProducts(float[][] probes, float[][] gallery) {
        return p -> {
            float[] x = probes[p];
            double[] row = new double[gallery.length];
            for (int c = 0; c < gallery.length; c++) {
                float[] g = gallery[c];
                if (g.length != x.length) {
                    throw new IllegalArgumentException(
                            "probe " + p + " has dimension " + x.length + ", gallery column " + c + " has " + g.length);
                }
                row[c] = Vectors.dot(x, g);
            }
            return row;
        };
    }

    /** A fixed matrix (tests, and callers that already have one). */
    static ScoreRows of(double[][] matrix) {
        return p -> matrix[p].clone();
    }
}
