package io.facestream.ops.bench;

import io.facestream.embed.detect.Box;
import java.util.List;

/**
 * A pass's detections scored against the ground truth ({@link DetectionMatch}, frame by frame): what recall and
 * precision count, for our passes ({@link CameraPass}) and a peer's alike.
 *
 * @param graded     ground-truth faces of at least the graded size
 * @param found      of those, matched by a detection
 * @param detections detections that count for precision (matched to a graded face, or to none)
 * @param falsePos   detections that matched no face
 */
record PassScore(long graded, long found, long detections, long falsePos) {
    static final PassScore NONE = new PassScore(0, 0, 0, 0);

    /** This score with one more frame's match added. */
    PassScore plus(DetectionMatch m) {
        return new PassScore(
                graded + m.graded(),
                found + m.found(),
                detections + m.gradedDetections(),
                falsePos + m.falsePositive());
    }

    /** Whole passes' detections, per frame, against the ground truth's boxes, faces of {@code gradedSide} px graded. */
    static PassScore of(List<List<Box>> detections, List<List<Box>> truth, double gradedSide) {
        if (detections.size() != truth.size()) {
            throw new IllegalArgumentException(
                    detections.size() + " frames of detections for " + truth.size() + " frames of ground truth");
        }
        PassScore s = NONE;
        for (int f = 0; f < truth.size(); f++) {
            s = s.plus(DetectionMatch.of(detections.get(f), truth.get(f), gradedSide));
        }
        return s;
    }

    /** The same with {@code bench cameras}' graded size. */
    static PassScore of(List<List<Box>> detections, List<List<Box>> truth) {
        return of(detections, truth, CamerasBenchCommand.GRADED_SIDE);
    }

    double recall() {
        return graded == 0 ? Double.NaN : found / (double) graded;
    }

    double precision() {
        return detections == 0 ? Double.NaN : (detections - falsePos) / (double) detections;
    }
}
