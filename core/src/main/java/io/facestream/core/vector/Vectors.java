package io.facestream.core.vector;

import java.util.Objects;

/**
 * The arithmetic on face features, in one place: length, dot product, cosine, unit direction. Every module that
 * compares features calls these, so the live match path, the gallery, the trainer's gate and the offline metrics
 * compute a similarity the same way.
 *
 * <p><b>Precision.</b> Inputs are float32; every product is taken exactly in double and summed in double, so a
 * result does not depend on the vector's length or on which module computed it. A unit vector is returned as float32
 * (each component {@code (float) (v[i] / ‖v‖)}), the form the gallery stores and searches.
 *
 * <p><b>Rules.</b> Two vectors of different lengths are an {@link IllegalArgumentException} naming both lengths. NaN
 * and infinity are not checked by {@link #norm}, {@link #dot} and {@link #cosine}: they propagate into the result as
 * IEEE arithmetic does ({@link #firstNonFinite} finds them where a caller must refuse them). A zero vector has no
 * direction: {@link #unit} and {@link #cosine} refuse it, {@link #unitOrZero} and {@link #normalizeInPlace} keep it
 * zero (the evaluation protocols' rule, as scikit-learn's {@code normalize}).
 *
 * <p><b>SIMD.</b> These loops are scalar. The one vectorised path in the project is the gallery's exact scan, which
 * scores Lucene's stored vectors with Lucene's {@code VectorUtil} (JDK Vector API, {@code jdk.incubator.vector});
 * it works on the index's own vector values and is the same function Lucene's HNSW graph scores with.
 */
public final class Vectors {
    private Vectors() {}

    /** Euclidean length ‖v‖. */
    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** Euclidean length ‖v‖ of a double vector (a fused sum). */
    public static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** Σ a[i]·b[i]. */
    public static double dot(float[] a, float[] b) {
        requireSameLength(a.length, b.length);
        return dot(a, 0, b, 0, a.length);
    }

    /**
     * Σ a[aFrom + i]·b[bFrom + i] over {@code length} values: rows of flat row-major matrices without copying them.
     */
    public static double dot(float[] a, int aFrom, float[] b, int bFrom, int length) {
        Objects.checkFromIndexSize(aFrom, length, a.length);
        Objects.checkFromIndexSize(bFrom, length, b.length);
        double s = 0;
        for (int i = 0; i < length; i++) {
            s += (double) a[aFrom + i] * b[bFrom + i];
        }
        return s;
    }

    /** a·b / (‖a‖·‖b‖); scale does not matter. A zero vector has no direction and is refused. */
    public static double cosine(float[] a, float[] b) {
        requireSameLength(a.length, b.length);
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 || bb == 0) {
            throw new IllegalArgumentException(
                    "cannot take the cosine of a zero vector (" + a.length + "-d): it has no direction");
        }
        return dot / Math.sqrt(aa * bb);
    }

    /** Whether every value is exactly 0 (an empty vector is zero). */
    public static boolean isZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first NaN or infinite value, or -1 when all are finite. */
    public static int firstNonFinite(float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    /** A new vector v / ‖v‖. A zero vector, or one whose length is not finite, is refused rather than turned into NaNs. */
    public static float[] unit(float[] v) {
        double n = norm(v);
        if (!(n > 0) || !Double.isFinite(n)) {
            throw new IllegalArgumentException(
                    "cannot scale a " + v.length + "-d vector of length " + n + " to unit length");
        }
        return scaled(v, n, new float[v.length]);
    }

    /** A new vector v / ‖v‖, or zeros when v is zero. */
    public static float[] unitOrZero(float[] v) {
        return normalizeInPlace(v.clone());
    }

    /** Scales v to unit length in place and returns it; a zero vector stays zero. */
    public static float[] normalizeInPlace(float[] v) {
        double n = norm(v);
        return n == 0 ? v : scaled(v, n, v);
    }

    /** A float32 copy of a double vector (a fused sum stored as one raw feature). */
    public static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static float[] scaled(float[] v, double norm, float[] out) {
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    static void requireSameLength(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("vectors of different lengths: " + a + " and " + b);
        }
    }
}
