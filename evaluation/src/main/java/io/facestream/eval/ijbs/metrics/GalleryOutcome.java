package io.facestream.eval.ijbs.metrics;

/**
 * What one probe contributes to the open-set score of one gallery: for a mated probe, whether its mate is rank 1 in
 * that gallery and the mate's score; for a non-mated probe, its highest score (the candidate false alarm).
 */
public record GalleryOutcome(boolean mated, boolean mateFirst, double score) {

    public static GalleryOutcome mated(boolean mateFirst, double mateScore) {
        return new GalleryOutcome(true, mateFirst, mateScore);
    }

    public static GalleryOutcome nonMated(double maxScore) {
        return new GalleryOutcome(false, false, maxScore);
    }
}
