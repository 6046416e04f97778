package io.facestream.gallery.model;

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
        double sq = 0;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                throw new GalleryInputException("embedding of " + model + " has a non-finite value " + v + " at index "
                        + i + " of " + values.length);
            }
            sq += (double) v * v;
        }
        if (!(sq > 0)) {
            throw new GalleryInputException("embedding of " + model + " is a zero vector (" + values.length
                    + " dims): it has no direction to compare by cosine");
        }
        values = values.clone();
    }

    public int dimension() {
        return values.length;
    }

    public double norm() {
        double sq = 0;
        for (float v : values) {
            sq += (double) v * v;
        }
        return Math.sqrt(sq);
    }

    /** A copy scaled to length 1. */
    public float[] unit() {
        // divide in double: 1/norm of a tiny (subnormal) vector overflows a float to infinity
        float[] u = new float[values.length];
        double norm = norm();
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (values[i] / norm);
        }
        return u;
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
