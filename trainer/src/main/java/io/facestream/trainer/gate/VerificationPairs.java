package io.facestream.trainer.gate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Genuine and impostor pairs over held-out faces. Every genuine pair of every identity is used up to
 * {@code maxPerKind} (a random sample beyond that), and as many impostor pairs are drawn, so accuracy is measured on
 * a balanced set. The same seed gives the same pairs, so current and candidate model see exactly the same task.
 */
public record VerificationPairs(List<Pair> pairs) {

    /** Two face keys; {@code genuine} when they show the same identity. */
    public record Pair(String a, String b, boolean genuine) {}

    public VerificationPairs {
        pairs = List.copyOf(pairs);
    }

    public static VerificationPairs of(Map<String, List<String>> facesByIdentity, int maxPerKind, long seed) {
        List<String> identities = facesByIdentity.keySet().stream().sorted().toList();
        if (identities.size() < 2) {
            throw new IllegalArgumentException("verification needs faces of at least 2 identities, got " + identities);
        }
        Random random = new Random(seed);
        List<Pair> genuine = new ArrayList<>();
        for (String id : identities) {
            List<String> faces = facesByIdentity.get(id);
            for (int i = 0; i < faces.size(); i++) {
                for (int j = i + 1; j < faces.size(); j++) {
                    genuine.add(new Pair(faces.get(i), faces.get(j), true));
                }
            }
        }
        if (genuine.isEmpty()) {
            throw new IllegalArgumentException("verification needs an identity with at least 2 faces; none of "
                    + identities.size() + " identities has");
        }
        Collections.shuffle(genuine, random);
        List<Pair> pairs = new ArrayList<>(genuine.subList(0, Math.min(maxPerKind, genuine.size())));
        int impostors = pairs.size();
        for (int k = 0; k < impostors; k++) {
            int x = random.nextInt(identities.size());
            int y = random.nextInt(identities.size() - 1);
            if (y >= x) {
                y++;
            }
            List<String> fx = facesByIdentity.get(identities.get(x));
            List<String> fy = facesByIdentity.get(identities.get(y));
            pairs.add(new Pair(fx.get(random.nextInt(fx.size())), fy.get(random.nextInt(fy.size())), false));
        }
        return new VerificationPairs(pairs);
    }

    public long genuine() {
        return pairs.stream().filter(Pair::genuine).count();
    }

    public long impostor() {
        return pairs.size() - genuine();
    }
}
