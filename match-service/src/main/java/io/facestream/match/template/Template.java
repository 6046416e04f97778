package io.facestream.match.template;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.facestream.core.vector.TemplateFusion;
import java.util.Arrays;

/**
 * A track's (or any set of faces') fused feature as it is kept in the tracker's state: the SUM of the raw, not
 * unit-length features of its quality-accepted faces and their count. Summing raw features weights each face's
 * direction by its norm, and the norm is the model's quality signal, so sharp frontal faces dominate and blurry ones
 * barely count (the fusion AdaFace uses to evaluate IJB-S). The arithmetic is core's {@link TemplateFusion}, the one
 * the gallery's booking templates and the offline IJB-S metric use; this record is its immutable, serialisable form.
 * Only {@link #unit()} is ever compared.
 *
 * @param sum   element-wise sum of the accepted raw features, in double precision (empty while no face was accepted)
 * @param faces how many faces were summed
 */
public record Template(double[] sum, int faces) {

    public Template {
        if (faces < 0) {
            throw new IllegalArgumentException("face count is negative: " + faces);
        }
        sum = sum == null ? new double[0] : sum;
    }

    public static Template empty() {
        return new Template(new double[0], 0);
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
        TemplateFusion f = faces == 0 ? new TemplateFusion(rawFeature.length) : TemplateFusion.restore(sum, faces);
        return of(f.add(rawFeature));
    }

    /** Fuses many raw features at once (enrolment of a booking, search by several images). */
    public static Template fuse(Iterable<float[]> rawFeatures) {
        return of(TemplateFusion.of(rawFeatures));
    }

    /** The fused direction at unit length; the only form that is compared. An empty template has none. */
    public float[] unit() {
        if (faces == 0) {
            throw new IllegalStateException("an empty template has no direction");
        }
        return TemplateFusion.restore(sum, faces).unit();
    }

    private static Template of(TemplateFusion f) {
        return new Template(f.sum(), f.faces());
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
