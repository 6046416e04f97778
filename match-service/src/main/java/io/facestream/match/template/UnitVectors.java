package io.facestream.match.template;

/** Vector arithmetic on embeddings: length, unit direction, cosine. */
public final class UnitVectors {
    private UnitVectors() {}

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** v / |v|; a zero vector has no direction and is refused rather than turned into NaNs. */
    public static float[] normalize(float[] v) {
        double n = norm(v);
        if (!(n > 0) || !Double.isFinite(n)) {
            throw new IllegalArgumentException("cannot normalise a vector of length " + n);
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / n);
        }
        return u;
    }

    /** Cosine similarity of two vectors of any length (both non-zero). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cannot compare a " + a.length + "-d and a " + b.length + "-d vector");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            throw new IllegalArgumentException("cannot compare a zero vector");
        }
        return dot / Math.sqrt(na * nb);
    }
}
