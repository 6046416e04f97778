package io.facestream.synth;

import java.util.SplittableRandom;

/** A seeded Fisher–Yates shuffle of 0..n-1: the one shuffle every synthetic choice (casting, donors) draws from. */
final class Permutation {
    private Permutation() {}

    static int[] of(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
