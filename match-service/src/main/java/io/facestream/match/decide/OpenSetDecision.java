package io.facestream.match.decide;

import io.facestream.core.events.Match;
import java.util.List;

/** HIT only when the best candidate clears the threshold; otherwise UNKNOWN. Never "closest match wins". */
public final class OpenSetDecision {
    private OpenSetDecision() {}

    public static Match.Decision decide(List<Match.Candidate> candidatesBestFirst, OpenSetThreshold threshold) {
        if (candidatesBestFirst.isEmpty()) {
            return Match.Decision.UNKNOWN;
        }
        return candidatesBestFirst.get(0).score() >= threshold.value() ? Match.Decision.HIT : Match.Decision.UNKNOWN;
    }
}
