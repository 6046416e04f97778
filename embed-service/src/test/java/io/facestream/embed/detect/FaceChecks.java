package io.facestream.embed.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** Geometry every upright face must satisfy, whatever the detector. */
public final class FaceChecks {
    private FaceChecks() {}

    /** Landmarks inside the box, image-left eye left of image-right eye, eyes above nose above mouth. */
    public static void assertPlausible(DetectedFace f, String what) {
        List<Point> p = f.landmarks();
        for (int k = 0; k < p.size(); k++) {
            assertTrue(f.box().contains(p.get(k)), what + ": landmark " + k + " " + p.get(k) + " outside " + f.box());
        }
        assertTrue(p.get(0).x() < p.get(1).x(), what + ": eyes in template order " + p);
        assertTrue(p.get(3).x() < p.get(4).x(), what + ": mouth corners in template order " + p);
        float eyes = (p.get(0).y() + p.get(1).y()) / 2;
        float mouth = (p.get(3).y() + p.get(4).y()) / 2;
        assertTrue(eyes < p.get(2).y() && p.get(2).y() < mouth, what + ": eyes above nose above mouth " + p);
    }
}
