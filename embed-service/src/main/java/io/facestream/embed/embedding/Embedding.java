package io.facestream.embed.embedding;

/**
 * One face's embedding.
 *
 * @param raw  the network's output before normalisation (its norm is AdaFace's quality signal)
 * @param norm L2 norm of {@code raw}
 * @param unit {@code raw / norm}: what similarity is computed on
 */
public record Embedding(float[] raw, float norm, float[] unit) {

    public static Embedding of(float[] raw) {
        double sum = 0;
        for (float v : raw) {
            sum += (double) v * v;
        }
        float norm = (float) Math.sqrt(sum);
        float[] unit = new float[raw.length];
        // ε as in the reference MobileFaceNet code: an all-zero output stays zero instead of NaN
        float inv = 1f / Math.max(norm, 1e-10f);
        for (int i = 0; i < raw.length; i++) {
            unit[i] = raw[i] * inv;
        }
        return new Embedding(raw.clone(), norm, unit);
    }

    public int size() {
        return raw.length;
    }

    /** Cosine similarity: dot product of the unit vectors. */
    public double cosine(Embedding other) {
        if (other.unit.length != unit.length) {
            throw new IllegalArgumentException("cannot compare embeddings of size " + unit.length + " and " + other.unit.length);
        }
        double dot = 0;
        for (int i = 0; i < unit.length; i++) {
            dot += (double) unit[i] * other.unit[i];
        }
        return dot;
    }
}
