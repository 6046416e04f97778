package io.facestream.eval.ijbs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.facestream.eval.ijbs.metrics.RankCorrelation;
import java.util.Arrays;

/**
 * How well the raw feature norm tracks face quality: Spearman's ρ between the norm and the ground-truth face size
 * (px) over every video face whose size is known. AdaFace's premise is that the norm is a quality proxy, so a
 * fine-tune should keep or raise ρ.
 *
 * @param spearman ρ in [−1, 1]; NaN when undefined (fewer than two faces, constant sizes or norms, or a NaN norm
 *                 from a broken model)
 * @param samples  video faces it was computed over
 */
@JsonPropertyOrder({"spearman", "samples"})
public record NormSizeCorrelation(
        @JsonProperty("spearman") double spearman,
        @JsonProperty("samples") int samples) {

    public boolean defined() {
        return !Double.isNaN(spearman);
    }

    /** Collects (size, norm) pairs in two growing float arrays (8 bytes a face) and ranks them at the end. */
    static final class Pairs {
        private float[] sides = new float[1024];
        private float[] norms = new float[1024];
        private int n;
        private boolean nanNorm;

        void add(double sidePx, double norm) {
            if (Double.isNaN(norm)) {
                nanNorm = true;
            }
            if (n == sides.length) {
                if (n == Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("more than " + n + " video faces for the norm/size correlation");
                }
                int grown = (int) Math.min(Integer.MAX_VALUE - 8L, 2L * n);
                sides = Arrays.copyOf(sides, grown);
                norms = Arrays.copyOf(norms, grown);
            }
            sides[n] = (float) sidePx;
            norms[n] = (float) norm;
            n++;
        }

        NormSizeCorrelation correlation() {
            return new NormSizeCorrelation(nanNorm ? Double.NaN : RankCorrelation.spearman(sides, norms, n), n);
        }
    }
}
