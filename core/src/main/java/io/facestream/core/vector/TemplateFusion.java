package io.facestream.core.vector;

import java.util.Optional;

/**
 * Norm-weighted template fusion, the one implementation: a template's feature is the sum of its faces' raw (not unit
 * length) features, f = u·‖f‖, which is the norm-weighted sum of their unit features, so sharp faces (high norm)
 * outweigh blurred ones; it is compared at unit length, sum / ‖sum‖ (AdaFace's {@code pre_norm_vector_add},
 * adaface.md §5c). The live track template (match-service), the gallery's booking template (gallery-index) and the
 * offline IJB-S metric (evaluation) all fuse with this class.
 *
 * <p>Sums are kept in double precision, so the order faces arrive in changes the result by rounding only. The
 * reference divides the sum by the face count (its mean x) and scales by {@code 1 / (‖x‖ + 1e-8)}: the mean has the
 * sum's direction, and the ε scales a whole template by 1 / (1 + 1e-8/‖x‖), less than float32 resolution (6e-8)
 * once ‖x‖ > 0.2 (face features have norms of 1 to 100), so neither is applied.
 *
 * <p>A template has no direction while it has no face, or when its faces cancel out exactly (sum of length 0):
 * {@link #direction()} is empty then and {@link #unit()} refuses it. What that means is the caller's rule: the live
 * path never scores such a template, the IJB-S protocol scores it as the zero vector.
 *
 * <p>A mutable accumulator, not thread-safe; {@link #restore} continues one from its stored sum and count.
 */
public final class TemplateFusion {
    private final double[] sum;
    private int faces;

    /** An empty template for features of {@code dimension} values. */
    public TemplateFusion(int dimension) {
        if (dimension <= 0) {
            throw new IllegalArgumentException("a template's feature dimension must be positive, got " + dimension);
        }
        this.sum = new double[dimension];
    }

    /** Continues a template from a stored {@link #sum()} and face count. */
    public static TemplateFusion restore(double[] sum, int faces) {
        if (faces < 0) {
            throw new IllegalArgumentException("face count is negative: " + faces);
        }
        TemplateFusion t = new TemplateFusion(sum.length);
        System.arraycopy(sum, 0, t.sum, 0, sum.length);
        t.faces = faces;
        return t;
    }

    /** Fuses the given raw features (at least one; all of one dimension). */
    public static TemplateFusion of(Iterable<float[]> rawFeatures) {
        TemplateFusion t = null;
        for (float[] f : rawFeatures) {
            if (t == null) {
                t = new TemplateFusion(f.length);
            }
            t.add(f);
        }
        if (t == null) {
            throw new IllegalArgumentException("cannot fuse a template from no faces");
        }
        return t;
    }

    /** Adds one face's raw feature; refuses another dimension and non-finite values. Returns this. */
    public TemplateFusion add(float[] raw) {
        if (raw.length != sum.length) {
            throw new IllegalArgumentException("cannot fuse features of " + sum.length + " and " + raw.length
                    + " dimensions into one template (different models?)");
        }
        int bad = Vectors.firstNonFinite(raw);
        if (bad >= 0) {
            throw new IllegalArgumentException("cannot fuse a feature with a non-finite value " + raw[bad]
                    + " at index " + bad + " of " + raw.length);
        }
        for (int i = 0; i < raw.length; i++) {
            sum[i] += raw[i];
        }
        faces++;
        return this;
    }

    /** Adds every face of another template (a booking template pools the faces of all its stills). Returns this. */
    public TemplateFusion add(TemplateFusion other) {
        if (other.sum.length != sum.length) {
            throw new IllegalArgumentException(
                    "cannot fuse templates of " + sum.length + " and " + other.sum.length + " dimensions into one");
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.sum[i];
        }
        faces += other.faces;
        return this;
    }

    public int faces() {
        return faces;
    }

    public boolean isEmpty() {
        return faces == 0;
    }

    public int dimension() {
        return sum.length;
    }

    /** A copy of the element-wise sum of the raw features (zeros while empty). */
    public double[] sum() {
        return sum.clone();
    }

    /** The fused direction at unit length (float32, as the gallery stores it); empty when there is none. */
    public Optional<float[]> direction() {
        double n = Vectors.norm(sum);
        if (faces == 0 || !(n > 0)) {
            return Optional.empty();
        }
        float[] u = new float[sum.length];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (sum[i] / n);
        }
        return Optional.of(u);
    }

    /** The fused direction at unit length; the only form that is compared. Refuses a template without one. */
    public float[] unit() {
        if (faces == 0) {
            throw new IllegalStateException("an empty template has no direction");
        }
        return direction()
                .orElseThrow(() -> new IllegalStateException(
                        "the fused template of " + faces + " faces has zero length: its faces cancel out"));
    }
}
