package io.facestream.trainer.gate;

/**
 * How strict the gate is. A candidate passes when no metric is worse than the current model's by more than
 * {@code margin} (absolute, on a 0–1 scale): fine-tuning on a few operator-confirmed tracks should not be refused
 * for noise-level drops, but must never ship a regression.
 *
 * @param margin  largest tolerated drop of any metric, in [0, 1)
 * @param far     false-accept rate at which verification TAR is read
 * @param maxPairs genuine pairs (and as many impostor pairs) at most
 * @param seed    seeds the pair sample
 */
public record GatePolicy(double margin, double far, int maxPairs, long seed) {

    public GatePolicy {
        if (!(margin >= 0 && margin < 1)) {
            throw new IllegalArgumentException("gate margin must lie in [0, 1), got " + margin);
        }
        if (!(far > 0 && far < 1)) {
            throw new IllegalArgumentException("gate FAR must lie in (0, 1), got " + far);
        }
        if (maxPairs < 1) {
            throw new IllegalArgumentException("gate needs at least 1 pair per kind, got " + maxPairs);
        }
    }

    public static GatePolicy defaults() {
        return new GatePolicy(0.01, 0.01, 3000, 7);
    }

    public GatePolicy withMargin(double m) {
        return new GatePolicy(m, far, maxPairs, seed);
    }
}
