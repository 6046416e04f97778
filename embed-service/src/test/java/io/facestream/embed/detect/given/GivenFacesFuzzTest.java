package io.facestream.embed.detect.given;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.testing.Fuzzing;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.Point;
import java.nio.charset.StandardCharsets;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Fuzzes the {@code fs.faces} header ({@link GivenFaces#parse}) and the given detector on a 640x480 frame. Any text
 * is a list of faces (boxes finite and of positive size, scores in [0, 1], five finite landmarks each) or an
 * {@link IllegalArgumentException} naming the face, as the class documents.
 */
class GivenFacesFuzzTest {
    private static final Mat FRAME = new Mat(480, 640, opencv_core.CV_8UC3);

    @DictionaryEntries({
        "\"box\"",
        "\"landmarks\"",
        "\"score\"",
        "\"label\"",
        "\"landmark_source\"",
        "\"mouth_estimated\"",
        "1e39",
        "-0.0",
        "1e-45"
    })
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        String json = new String(data, StandardCharsets.UTF_8);
        Fuzzing.check(
                () -> {
                    GivenFaces faces = GivenFaces.parse(json, "fuzz fs.faces");
                    for (GivenFace g : faces.faces()) {
                        DetectedFace f = g.face();
                        Box b = f.box();
                        assertTrue(
                                Float.isFinite(b.x())
                                        && Float.isFinite(b.y())
                                        && b.width() > 0
                                        && b.height() > 0
                                        && Float.isFinite(b.width())
                                        && Float.isFinite(b.height()),
                                "box " + b);
                        assertTrue(f.score() >= 0 && f.score() <= 1, "score " + f.score());
                        assertEquals(DetectedFace.LANDMARKS, f.landmarks().size(), "landmarks");
                        for (Point p : f.landmarks()) {
                            assertTrue(Float.isFinite(p.x()) && Float.isFinite(p.y()), "landmark " + p);
                        }
                    }
                    faces.detect(FRAME);
                },
                IllegalArgumentException.class);
    }
}
