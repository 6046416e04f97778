package io.facestream.ops.faces;

import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.Point;
import java.util.List;
import java.util.Locale;

/**
 * One face in the {@code --json} output of {@code detect} and {@code compare}. The same shape as an {@code fs.faces}
 * entry, so a detect result can be fed back as given faces.
 *
 * @param box            [x, y, width, height] in pixels
 * @param score          detector confidence
 * @param landmarks      5 × [x, y]: image-left eye, image-right eye, nose, image-left mouth corner, image-right mouth corner
 * @param landmarkSource measured, mouth_estimated (BlazeFace) or from_box
 */
public record FaceJson(float[] box, float score, float[][] landmarks, String landmarkSource) {
    public static FaceJson of(DetectedFace f) {
        float[][] lm = new float[f.landmarks().size()][];
        for (int i = 0; i < lm.length; i++) {
            Point p = f.landmarks().get(i);
            lm[i] = new float[] {round(p.x()), round(p.y())};
        }
        return new FaceJson(
                new float[] {
                    round(f.box().x()),
                    round(f.box().y()),
                    round(f.box().width()),
                    round(f.box().height())
                },
                Math.round(f.score() * 1e5f) / 1e5f,
                lm,
                f.source().name().toLowerCase(Locale.ROOT));
    }

    /** Two decimals: sub-pixel noise would only make outputs differ between runs for no information. */
    private static float round(float v) {
        return Math.round(v * 100f) / 100f;
    }

    static String describe(DetectedFace f) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "box x=%.0f y=%.0f w=%.0f h=%.0f  score %.4f  landmarks",
                f.box().x(),
                f.box().y(),
                f.box().width(),
                f.box().height(),
                f.score()));
        for (Point p : f.landmarks()) {
            sb.append(String.format(Locale.ROOT, " (%.1f,%.1f)", p.x(), p.y()));
        }
        if (f.source() != io.facestream.embed.detect.LandmarkSource.MEASURED) {
            sb.append("  [").append(f.source().name().toLowerCase(Locale.ROOT)).append(']');
        }
        return sb.toString();
    }

    static List<FaceJson> all(List<DetectedFace> faces) {
        return faces.stream().map(FaceJson::of).toList();
    }
}
