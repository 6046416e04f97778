package io.facestream.trainer.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.facestream.core.vector.Vectors;
import io.facestream.trainer.torch.Owned;
import java.util.SplittableRandom;

/**
 * The class-centre matrix W, shape [D, C] (columns are class centres, reference §1.1). The stored parameter is
 * never renormalised; every forward uses its column-normalised copy, so weight decay and the gradient act on W itself.
 * It starts random ({@link #initial}) or from class prototypes ({@link #prototypes}), see {@link CentreInit}.
 */
public final class ClassCentres {
    private final NDArray weight;

    private ClassCentres(NDArray weight) {
        this.weight = weight;
        weight.setRequiresGradient(true);
    }

    /** U(−1, 1) then unit columns, drawn from {@code seed} so runs repeat. */
    public static ClassCentres initial(NDManager manager, int dim, int classes, long seed) {
        return new ClassCentres(Owned.copyOf(manager, randomColumns(dim, classes, seed), new Shape(dim, classes)));
    }

    /**
     * Unit columns from per-class vectors ({@link CentreInit#PROTOTYPES}: the sums of each class's unit embeddings).
     * A class without a vector (all zero: none of its images could be embedded) keeps the column {@link #initial}
     * would have drawn for it, so it still trains, from the same start as a random-centre run.
     *
     * @param vectors {@code [C][D]} one vector per class
     */
    public static ClassCentres prototypes(NDManager manager, double[][] vectors, long seed) {
        int classes = vectors.length;
        int dim = classes == 0 ? 0 : vectors[0].length;
        float[] w = randomColumns(dim, classes, seed);
        for (int c = 0; c < classes; c++) {
            if (vectors[c].length != dim) {
                throw new IllegalArgumentException(
                        "class " + c + " has a " + vectors[c].length + "-d prototype, expected " + dim);
            }
            double n = Vectors.norm(vectors[c]);
            if (n > 0) {
                double inv = 1 / n;
                for (int d = 0; d < dim; d++) {
                    w[d * classes + c] = (float) (vectors[c][d] * inv);
                }
            }
        }
        return new ClassCentres(Owned.copyOf(manager, w, new Shape(dim, classes)));
    }

    private static float[] randomColumns(int dim, int classes, long seed) {
        if (classes < 2) {
            throw new IllegalArgumentException("a margin head needs at least 2 classes, the data set has " + classes);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = new float[dim * classes];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int c = 0; c < classes; c++) {
            double s = 0;
            for (int d = 0; d < dim; d++) {
                s += w[d * classes + c] * w[d * classes + c];
            }
            float inv = (float) (1 / Math.sqrt(s));
            for (int d = 0; d < dim; d++) {
                w[d * classes + c] *= inv;
            }
        }
        return w;
    }

    /** Restores a checkpointed matrix. */
    public static ClassCentres of(NDArray weight) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("class-centre matrix must be [D, C], got " + weight.getShape());
        }
        return new ClassCentres(weight.toType(DataType.FLOAT32, false));
    }

    /** [B, C] cosines between unit embeddings {@code u} [B, D] and the unit class centres. */
    public NDArray cosine(NDArray u) {
        return u.matMul(weight.div(weight.norm(new int[] {0}, true)));
    }

    public NDArray weight() {
        return weight;
    }

    public int dim() {
        return (int) weight.getShape().get(0);
    }

    public int classes() {
        return (int) weight.getShape().get(1);
    }
}
