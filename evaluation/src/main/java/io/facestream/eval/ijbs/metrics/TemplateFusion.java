package io.facestream.eval.ijbs.metrics;

/**
 * Norm-weighted fusion of one template's faces (adaface.md §5c, "Template feature"): the mean of the members' raw
 * (un-normalised) features, so a face counts in proportion to its feature norm, then {@code x / (‖x‖ + 1e-8)}.
 * A template none of whose faces survived alignment is the zero vector, so all its scores are exactly 0.
 */
public final class TemplateFusion {
    private static final double EPSILON = 1e-8;

    private final double[] sum;
    private int faces;

    public TemplateFusion(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("feature dimension must be positive, got " + dim);
        }
        this.sum = new double[dim];
    }

    public void add(float[] raw) {
        if (raw.length != sum.length) {
            throw new IllegalArgumentException("feature has " + raw.length + " values, template expects " + sum.length);
        }
        for (int i = 0; i < raw.length; i++) {
            sum[i] += raw[i];
        }
        faces++;
    }

    /** Adds every face of another fusion: a booking template is the union of the faces of its stills. */
    public void add(TemplateFusion other) {
        if (other.sum.length != sum.length) {
            throw new IllegalArgumentException("fusion of dimension " + other.sum.length + " added to one of " + sum.length);
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.sum[i];
        }
        faces += other.faces;
    }

    public int faces() {
        return faces;
    }

    /** The fused unit vector (or zeros for an empty template). */
    public double[] vector() {
        double[] v = new double[sum.length];
        if (faces == 0) {
            return v;
        }
        double norm = 0;
        for (int i = 0; i < sum.length; i++) {
            v[i] = sum[i] / faces;
            norm += v[i] * v[i];
        }
        double scale = 1.0 / (Math.sqrt(norm) + EPSILON);
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }
}
