package io.facestream.synth.check;

import java.util.Arrays;

/**
 * 1:1 verification quality of a set of genuine (same identity) and impostor (different identity) scores.
 *
 * @param genuine        number of genuine pairs
 * @param impostor       number of impostor pairs
 * @param bestAccuracy   best accuracy over all thresholds on a balanced set: max over τ of (TAR(τ) + TRR(τ)) / 2
 * @param bestThreshold  the τ that gives it (accept when score ≥ τ)
 * @param tarAtFar1      TAR at FAR = 1%: accept when score > the impostor score that exactly floor(1% · N) impostors exceed
 * @param auc            area under the ROC: P(genuine score > impostor score), ties counting half
 */
public record Verification(
        int genuine, int impostor, double bestAccuracy, double bestThreshold, double tarAtFar1, double auc) {

    public static Verification of(double[] genuineScores, double[] impostorScores) {
        if (genuineScores.length == 0 || impostorScores.length == 0) {
            throw new IllegalArgumentException("verification needs genuine and impostor pairs, got "
                    + genuineScores.length + " and " + impostorScores.length);
        }
        double[] g = genuineScores.clone(), im = impostorScores.clone();
        Arrays.sort(g);
        Arrays.sort(im);
        int ng = g.length, ni = im.length;

        // TAR@FAR: the threshold is the (n_fa+1)-th highest impostor score; n_fa impostors lie strictly above it.
        int nFa = (int) Math.floor(ni * 0.01);
        double tau = im[ni - 1 - nFa];
        double tar = (ng - upperBound(g, tau)) / (double) ng;

        // Sweep thresholds at every distinct score: accept score >= t.
        double[] all = new double[ng + ni];
        System.arraycopy(g, 0, all, 0, ng);
        System.arraycopy(im, 0, all, ng, ni);
        Arrays.sort(all);
        double best = -1, bestT = Double.NaN;
        for (int i = 0; i < all.length; i++) {
            if (i > 0 && all[i] == all[i - 1]) {
                continue;
            }
            double t = all[i];
            double accept = (ng - lowerBound(g, t)) / (double) ng;
            double reject = lowerBound(im, t) / (double) ni;
            double acc = (accept + reject) / 2;
            if (acc > best) {
                best = acc;
                bestT = t;
            }
        }

        // AUC by counting, per genuine score, the impostors below it (ties half).
        double wins = 0;
        for (double s : g) {
            wins += lowerBound(im, s) + 0.5 * (upperBound(im, s) - lowerBound(im, s));
        }
        return new Verification(ng, ni, best, bestT, tar, wins / ((double) ng * ni));
    }

    /** First index with a[i] >= x. */
    private static int lowerBound(double[] a, double x) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index with a[i] > x. */
    private static int upperBound(double[] a, double x) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
