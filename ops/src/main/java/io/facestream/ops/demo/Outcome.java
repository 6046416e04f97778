package io.facestream.ops.demo;

import io.facestream.core.events.Match;
import java.util.Set;

/** What a final decision was, judged against the footage's ground truth and the demo gallery. */
enum Outcome {
    /** an enrolled person, named correctly */
    HIT("hit"),
    /** an enrolled person, called unknown */
    MISS("miss"),
    /** an enrolled person, named as someone else */
    WRONG_PERSON("wrong person"),
    /** a person who is not enrolled, named as someone: the open-set false alarm */
    FALSE_ALARM("false alarm"),
    /** a person who is not enrolled, called unknown: correct */
    UNKNOWN("unknown"),
    /** the track's best face is on no labelled face (a spurious detection) */
    UNATTRIBUTED("unattributed");

    final String label;

    Outcome(String label) {
        this.label = label;
    }

    static Outcome of(TrackTruth.Attributed a, Set<Integer> enrolled) {
        if (a.subject().isEmpty()) {
            return UNATTRIBUTED;
        }
        int truth = a.subject().get();
        boolean hit = a.match().decision() == Match.Decision.HIT;
        if (!enrolled.contains(truth)) {
            return hit ? FALSE_ALARM : UNKNOWN;
        }
        if (!hit) {
            return MISS;
        }
        return a.match().best().subjectId().equals(Integer.toString(truth)) ? HIT : WRONG_PERSON;
    }
}
