package io.facestream.match.template;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;

/**
 * A track's (or any set of faces') fused feature: the SUM of the raw, not-unit-length features of its
 * quality-accepted faces. Summing raw features weights each face's direction by its norm, and the norm is the
 * model's quality signal, so sharp frontal faces dominate and blurry ones barely count (the fusion AdaFace uses to
 * evaluate IJB-S). Only {@link #unit()} is ever compared.
 *
 * @param sum   element-wise sum of the accepted raw features (empty while no face was accepted)
 * @param faces how many faces were summed
 */
public record Template(float[] sum, int faces) {

    public Template {
        if (faces < 0) {
            throw new IllegalArgumentException("face count is negative: " + faces);
        }
        sum = sum == null ? new float[0] : sum;
    }

    public static Template empty() {
        return new Template(new float[0], 0);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return faces == 0;
    }

    public int dimension() {
        return sum.length;
    }

    /** This template plus one more accepted raw feature; the receiver is unchanged. */
    public Template plus(float[] rawFeature) {
        if (rawFeature == null || rawFeature.length == 0) {
            throw new IllegalArgumentException("cannot fuse a face without an embedding");
        }
        if (faces > 0 && rawFeature.length != sum.length) {
            throw new IllegalArgumentException("cannot fuse a " + rawFeature.length + "-d feature into a "
                    + sum.length + "-d template (different models?)");
        }
        float[] next = faces == 0 ? new float[rawFeature.length] : Arrays.copyOf(sum, sum.length);
        for (int i = 0; i < next.length; i++) {
            float v = rawFeature[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("feature value " + i + " is not finite: " + v);
            }
            next[i] += v;
        }
        return new Template(next, faces + 1);
    }

    /** Fuses many raw features at once (enrolment of a booking, search by several images). */
    public static Template fuse(Iterable<float[]> rawFeatures) {
        Template t = empty();
        for (float[] f : rawFeatures) {
            t = t.plus(f);
        }
        return t;
    }

    /** The fused direction at unit length; the only form that is compared. */
    public float[] unit() {
        if (faces == 0) {
            throw new IllegalStateException("an empty template has no direction");
        }
        return UnitVectors.normalize(sum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && faces == t.faces && Arrays.equals(sum, t.sum);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sum) + faces;
    }

    @Override
    public String toString() {
        return "Template[" + faces + " faces, " + sum.length + "-d]";
    }
}
