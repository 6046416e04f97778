package io.facestream.embed.detect;

import java.util.List;
import java.util.Objects;

/**
 * One face found in an image.
 *
 * @param box       face box in image pixels
 * @param score     detector confidence in [0, 1] (1 for given faces without a score)
 * @param landmarks 5 points in the order of the alignment template: image-left eye, image-right eye, nose tip,
 *                  image-left mouth corner, image-right mouth corner
 * @param source    whether the landmarks were measured or estimated
 */
public record DetectedFace(Box box, float score, List<Point> landmarks, LandmarkSource source) {
    public static final int LANDMARKS = 5;

    public DetectedFace {
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(source, "source");
        landmarks = List.copyOf(landmarks);
        if (landmarks.size() != LANDMARKS) {
            throw new IllegalArgumentException("a face needs " + LANDMARKS + " landmarks, got " + landmarks.size());
        }
    }
}
