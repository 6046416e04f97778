package io.facestream.gallery.model;

import io.facestream.core.vector.Vectors;
import java.util.Arrays;

/**
 * One raw feature of one model version, as the embedder produced it: not unit length, its norm is the quality
 * signal that template fusion weighs by. Refuses what would poison cosine search: NaN/Inf values and zero vectors.
 */
public record Embedding(ModelVersion model, float[] values) {
    public Embedding {
        if (model == null) {
            throw new GalleryInputException("embedding has no model version");
        }
        if (values == null || values.length == 0) {
            throw new GalleryInputException("embedding of " + model + " is empty");
        }
        int bad = Vectors.firstNonFinite(values);
        if (bad >= 0) {
            throw new GalleryInputException("embedding of " + model + " has a non-finite value " + values[bad]
                    + " at index " + bad + " of " + values.length);
        }
        if (Vectors.isZero(values)) {
            throw new GalleryInputException("embedding of " + model + " is a zero vector (" + values.length
                    + " dims): it has no direction to compare by cosine");
        }
        values = values.clone();
    }

    public int dimension() {
        return values.length;
    }

    public double norm() {
        return Vectors.norm(values);
    }

    /** A copy scaled to length 1. */
    public float[] unit() {
        return Vectors.unit(values);
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && e.model.equals(model) && Arrays.equals(e.values, values);
    }

    @Override
    public int hashCode() {
        return model.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Embedding[" + model + ", " + values.length + " dims, norm " + (float) norm() + "]";
    }
}
