package io.facestream.match.corrections;

/**
 * The rule that makes an operator's rejection change later decisions. A rejected track's template is a negative
 * exemplar of the subject it was wrongly matched to. A later track is not a HIT for that subject when its template is
 * closer to one of the subject's negatives than to the subject itself by at least {@code margin}
 * ({@code match.corrections.negative-margin}):
 *
 * <pre>cos(track, nearest negative) − score(track, subject) ≥ margin  ⇒  the subject is vetoed</pre>
 *
 * <p>So the person who was mistaken for the subject is not mistaken for them again, while the subject, who looks more
 * like their own enrolment than like the impostor, still is found. A margin of 0 vetoes as soon as the negative is at
 * least as close as the subject; a larger margin demands that the track look clearly more like the rejected person.
 */
public final class NegativeRule {
    private NegativeRule() {}

    /** @return whether the subject is vetoed for a track scoring {@code subjectScore} against it */
    public static boolean vetoes(double subjectScore, double nearestNegativeScore, double margin) {
        return nearestNegativeScore - subjectScore >= margin;
    }

    /** The cosine of two unit vectors of the same length (the scores of the gallery index are the same). */
    public static double cosine(float[] unitA, float[] unitB) {
        if (unitA.length != unitB.length) {
            return Double.NEGATIVE_INFINITY; // another embedding space: says nothing
        }
        double dot = 0;
        for (int i = 0; i < unitA.length; i++) {
            dot += (double) unitA[i] * unitB[i];
        }
        return dot;
    }
}
