package io.facestream.eval.footage;

import io.facestream.core.vector.Vectors;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.ProtocolOutcome;
import io.facestream.eval.ijbs.metrics.IdentificationResult;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How closely two feature sets of the same faces agree (offline vs streaming): per-face cosine of the raw features,
 * relative norm difference, and the largest difference of any reported metric (Rank-1/5/10, TPIR@FPIR 1%/10% of
 * the three protocols).
 *
 * @param faces            faces present in both
 * @param onlyInOne        faces present in one set only (should be 0)
 * @param minCosine        lowest per-face cosine similarity
 * @param meanCosine       mean per-face cosine similarity
 * @param maxNormDiff      largest |‖a‖ − ‖b‖| / ‖a‖
 * @param maxMetricDiff    largest |metric_a − metric_b| over all reported metrics (fraction, not percent)
 */
public record FeatureAgreement(
        int faces, int onlyInOne, double minCosine, double meanCosine, double maxNormDiff, double maxMetricDiff) {

    public static FeatureAgreement of(
            Map<FacePath, float[]> a, Map<FacePath, float[]> b, IjbsReport ra, IjbsReport rb) {
        Set<FacePath> all = new HashSet<>(a.keySet());
        all.addAll(b.keySet());
        int both = 0;
        double min = 1, sum = 0, normDiff = 0;
        for (FacePath p : all) {
            float[] x = a.get(p), y = b.get(p);
            if (x == null || y == null) {
                continue;
            }
            both++;
            double nx = Vectors.norm(x), ny = Vectors.norm(y);
            double cos = Vectors.dot(x, y) / Math.max(1e-12, nx * ny);
            min = Math.min(min, cos);
            sum += cos;
            normDiff = Math.max(normDiff, Math.abs(nx - ny) / Math.max(1e-12, nx));
        }
        double metric = 0;
        for (int i = 0; i < 3; i++) {
            IdentificationResult x = ra.protocols().get(i).result(),
                    y = rb.protocols().get(i).result();
            for (int k : new int[] {1, 5, 10}) {
                metric = Math.max(metric, Math.abs(x.rank(k) - y.rank(k)));
            }
            for (double fpir : new double[] {0.01, 0.1}) {
                metric = Math.max(metric, Math.abs(x.tpirAtFpir(fpir) - y.tpirAtFpir(fpir)));
            }
        }
        return new FeatureAgreement(
                both,
                all.size() - both,
                both == 0 ? Double.NaN : min,
                both == 0 ? Double.NaN : sum / both,
                normDiff,
                metric);
    }

    /** The metric difference one probe makes in the smallest protocol: the resolution of a metric comparison. */
    public static double oneProbe(IjbsReport report) {
        int mated = Integer.MAX_VALUE;
        for (ProtocolOutcome o : report.protocols()) {
            mated = Math.min(mated, o.result().matedProbes());
        }
        return 1.0 / Math.max(1, mated);
    }
}
