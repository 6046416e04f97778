package io.facestream.eval.ijbs.protocol;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Ground-truth face size (side of the squared box, max(width, height) in pixels, as the reference crops it) per video
 * frame of a subject, when {@code cs6_metadata.csv} has FRAME, FACE_WIDTH and FACE_HEIGHT columns. Used only for the
 * norm-vs-face-size plot, never for the metrics.
 */
public record FaceSizes(Map<String, Double> sideByFrame) {
    public FaceSizes {
        sideByFrame = Map.copyOf(sideByFrame);
    }

    public static FaceSizes none() {
        return new FaceSizes(Map.of());
    }

    public boolean known() {
        return !sideByFrame.isEmpty();
    }

    public OptionalDouble side(int subject, String video, String frame) {
        Double side = sideByFrame.get(key(subject, video, frame));
        return side == null ? OptionalDouble.empty() : OptionalDouble.of(side);
    }

    /** Frame numbers compare as numbers when they are numbers, so "000123" in a file name matches 123 in the CSV. */
    static String key(int subject, String video, String frame) {
        String f = frame;
        if (!frame.isEmpty() && frame.chars().allMatch(Character::isDigit) && frame.length() < 18) {
            f = Long.toString(Long.parseLong(frame));
        }
        return subject + "/" + video + "/" + f;
    }
}
