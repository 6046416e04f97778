package io.facestream.synth.check;

import io.facestream.core.vector.Vectors;
import io.facestream.eval.ijbs.FacePath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * All pairs of still faces, scored by cosine similarity: pairs of one subject are genuine, of two subjects impostor.
 * Also keeps the closest impostor subject pairs, which name the identities that look alike.
 */
public final class StillPairs {
    /** Two subjects and their highest still-to-still cosine. */
    public record Lookalike(int a, int b, double cosine) {}

    private final double[] genuine;
    private final double[] impostor;
    private final List<Lookalike> lookalikes;

    private StillPairs(double[] genuine, double[] impostor, List<Lookalike> lookalikes) {
        this.genuine = genuine;
        this.impostor = impostor;
        this.lookalikes = lookalikes;
    }

    public static StillPairs of(Map<FacePath, float[]> stills) {
        List<Integer> subjects = new ArrayList<>();
        List<float[]> units = new ArrayList<>();
        stills.forEach((path, feature) -> {
            subjects.add(path.subject());
            units.add(Vectors.unitOrZero(feature));
        });
        int n = units.size();
        List<Double> gen = new ArrayList<>();
        double[] imp = new double[n * (n - 1) / 2];
        int ni = 0;
        Map<Long, Double> closest = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double c = Vectors.dot(units.get(i), units.get(j));
                int a = subjects.get(i), b = subjects.get(j);
                if (a == b) {
                    gen.add(c);
                } else {
                    imp[ni++] = c;
                    long key = Math.min(a, b) * 1_000_000L + Math.max(a, b);
                    closest.merge(key, c, Math::max);
                }
            }
        }
        List<Lookalike> looks = closest.entrySet().stream()
                .map(e -> new Lookalike((int) (e.getKey() / 1_000_000L), (int) (e.getKey() % 1_000_000L), e.getValue()))
                .sorted(Comparator.comparingDouble(Lookalike::cosine).reversed())
                .toList();
        return new StillPairs(
                gen.stream().mapToDouble(Double::doubleValue).toArray(), java.util.Arrays.copyOf(imp, ni), looks);
    }

    public Verification verification() {
        return Verification.of(genuine, impostor);
    }

    /** Subject pairs by descending highest cosine. */
    public List<Lookalike> lookalikes() {
        return lookalikes;
    }
}
