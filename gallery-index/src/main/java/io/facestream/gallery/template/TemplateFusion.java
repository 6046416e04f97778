package io.facestream.gallery.template;

import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import java.util.List;

/**
 * Fuses raw features into one template the way the IJB-S protocol does (adaface.md §5c, "pre_norm_vector_add"):
 * the plain sum of raw features f = u·‖f‖, which is the norm-weighted sum of the unit features, so sharp faces
 * (high norm) outweigh blurred ones; then scaled to unit length for cosine search.
 */
public final class TemplateFusion {
    private TemplateFusion() {}

    public static float[] fuse(List<Embedding> members) {
        if (members.isEmpty()) {
            throw new GalleryInputException("cannot fuse a template from no media");
        }
        int dim = members.get(0).dimension();
        double[] sum = new double[dim];
        for (Embedding e : members) {
            if (e.dimension() != dim) {
                throw new GalleryInputException("cannot fuse " + e.model() + " features of " + dim + " and "
                        + e.dimension() + " dimensions into one template");
            }
            float[] v = e.values();
            for (int i = 0; i < dim; i++) {
                sum[i] += v[i];
            }
        }
        return unit(sum, members.get(0));
    }

    /** One medium alone (SINGLE, SURVEILLANCE): its unit feature. */
    public static float[] single(Embedding e) {
        return e.unit();
    }

    private static float[] unit(double[] sum, Embedding first) {
        double sq = 0;
        for (double v : sum) {
            sq += v * v;
        }
        double norm = Math.sqrt(sq);
        if (!(norm > 1e-8)) {
            // Opposite features cancelled out: such a template would score 0 against everything, so refuse it.
            throw new GalleryInputException("the fused " + first.model() + " template has zero length: its media cancel out");
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / norm);
        }
        return out;
    }
}
