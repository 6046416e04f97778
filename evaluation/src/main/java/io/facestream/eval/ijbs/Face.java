package io.facestream.eval.ijbs;

import io.facestream.core.vector.Vectors;

/**
 * One aligned face delivered by a {@link FeatureSource}: where it came from, its raw (un-normalised) feature, and the
 * face size in pixels when the source knows it ({@code NaN} otherwise; the protocol's metadata may still know it).
 */
public record Face(FacePath path, float[] feature, double sidePx) {

    public static Face of(FacePath path, float[] feature) {
        return new Face(path, feature, Double.NaN);
    }

    public double norm() {
        return Vectors.norm(feature);
    }
}
