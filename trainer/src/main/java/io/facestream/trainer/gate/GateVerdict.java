package io.facestream.trainer.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The gate's decision with every comparison that led to it, so a refusal says which metric fell and by how much. */
public record GateVerdict(ModelScores current, ModelScores candidate, double margin, List<Comparison> comparisons) {

    /** One metric of both models; {@code passed} when the candidate is at most {@code margin} below the current. */
    public record Comparison(String metric, double current, double candidate, boolean passed) {
        public double delta() {
            return candidate - current;
        }
    }

    public GateVerdict {
        comparisons = List.copyOf(comparisons);
    }

    static GateVerdict of(ModelScores current, ModelScores candidate, double margin) {
        Map<String, Double> c = current.metrics();
        Map<String, Double> n = candidate.metrics();
        List<Comparison> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : c.entrySet()) {
            Double v = n.get(e.getKey());
            if (v == null) {
                throw new IllegalStateException(
                        "candidate " + candidate.model() + " has no " + e.getKey() + " to compare");
            }
            // NaN (a metric that could not be computed for the candidate) fails
            out.add(new Comparison(e.getKey(), e.getValue(), v, v >= e.getValue() - margin));
        }
        return new GateVerdict(current, candidate, margin, out);
    }

    public boolean accepted() {
        return comparisons.stream().allMatch(Comparison::passed);
    }

    /** One line: "accepted" or "refused: tar_at_far_0.01 0.812 -> 0.420 (-0.392 > margin 0.010), ...". */
    public String summary() {
        if (accepted()) {
            return String.format(
                    Locale.ROOT,
                    "accepted %s over %s (no metric below the current by more than %.3f)",
                    candidate.model(),
                    current.model(),
                    margin);
        }
        StringBuilder b =
                new StringBuilder("refused ").append(candidate.model()).append(": ");
        String sep = "";
        for (Comparison x : comparisons) {
            if (!x.passed()) {
                b.append(sep)
                        .append(String.format(
                                Locale.ROOT,
                                "%s %.4f -> %.4f (%+.4f, margin %.3f)",
                                x.metric(),
                                x.current(),
                                x.candidate(),
                                x.delta(),
                                margin));
                sep = ", ";
            }
        }
        return b.toString();
    }
}
