package io.facestream.trainer.gate;

import io.facestream.core.vector.Vectors;
import java.util.Arrays;
import java.util.Map;

/**
 * Verification on a pair list: {@code accuracy} at the best single cosine threshold (the LFW-style number without
 * folds: the gate compares two models on the same pairs, so the optimistic threshold choice favours neither), and
 * TAR at the threshold where at most {@code far} of the impostor pairs are accepted.
 */
public record VerificationResult(
        int genuine, int impostor, double accuracy, double bestThreshold, double far, double tar) {

    /** @param features unit or raw features by face key (cosine is taken, so scale does not matter) */
    public static VerificationResult of(VerificationPairs pairs, Map<String, float[]> features, double far) {
        if (!(far > 0 && far < 1)) {
            throw new IllegalArgumentException("FAR must lie in (0, 1), got " + far);
        }
        double[] gen = new double[(int) pairs.genuine()];
        double[] imp = new double[(int) pairs.impostor()];
        int g = 0, i = 0;
        for (VerificationPairs.Pair p : pairs.pairs()) {
            double s = cosine(feature(features, p.a()), feature(features, p.b()));
            if (p.genuine()) {
                gen[g++] = s;
            } else {
                imp[i++] = s;
            }
        }
        Arrays.sort(gen);
        Arrays.sort(imp);
        // accuracy: try every score as the threshold (accept s >= t)
        double bestAcc = -1, bestT = Double.NaN;
        double[] all = new double[gen.length + imp.length];
        System.arraycopy(gen, 0, all, 0, gen.length);
        System.arraycopy(imp, 0, all, gen.length, imp.length);
        Arrays.sort(all);
        for (double t : all) {
            long correct = (gen.length - lowerBound(gen, t)) + lowerBound(imp, t);
            double acc = correct / (double) all.length;
            if (acc > bestAcc) {
                bestAcc = acc;
                bestT = t;
            }
        }
        // TAR@FAR: the smallest threshold that accepts at most floor(far * impostors) impostor pairs
        int allowed = (int) Math.floor(far * imp.length);
        double t = allowed == 0 ? Math.nextUp(imp[imp.length - 1]) : Math.nextUp(imp[imp.length - 1 - allowed]);
        double tar = (gen.length - lowerBound(gen, t)) / (double) gen.length;
        return new VerificationResult(gen.length, imp.length, bestAcc, bestT, far, tar);
    }

    private static float[] feature(Map<String, float[]> features, String key) {
        float[] f = features.get(key);
        if (f == null) {
            throw new IllegalArgumentException("no feature for face " + key);
        }
        return f;
    }

    /** Index of the first value >= t. */
    private static int lowerBound(double[] sorted, double t) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double cosine(float[] a, float[] b) {
        // a zero feature (a collapsed model) matches nothing
        return Vectors.isZero(a) || Vectors.isZero(b) ? -1 : Vectors.cosine(a, b);
    }
}
