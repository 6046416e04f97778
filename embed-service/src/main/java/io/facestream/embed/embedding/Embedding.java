package io.facestream.embed.embedding;

import io.facestream.core.vector.Vectors;

/**
 * One face's embedding.
 *
 * @param raw  the network's output before normalisation (its norm is AdaFace's quality signal)
 * @param norm L2 norm of {@code raw}
 * @param unit {@code raw / norm}: what similarity is computed on; an all-zero output stays zero instead of NaN
 */
public record Embedding(float[] raw, float norm, float[] unit) {

    public static Embedding of(float[] raw) {
        return new Embedding(raw.clone(), (float) Vectors.norm(raw), Vectors.unitOrZero(raw));
    }

    public int size() {
        return raw.length;
    }

    /** Cosine similarity: dot product of the unit vectors. */
    public double cosine(Embedding other) {
        return Vectors.dot(unit, other.unit);
    }
}
