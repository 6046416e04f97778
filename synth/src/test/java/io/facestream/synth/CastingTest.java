package io.facestream.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CastingTest {

    @Test
    void galleriesAreDisjointAndAFifthIsNeverEnrolled() {
        Casting c = Casting.plan(100, 60, 1);
        int g1 = 0, g2 = 0, none = 0;
        for (int s = 1; s <= 100; s++) {
            switch (c.galleryOf(s)) {
                case 1 -> g1++;
                case 2 -> g2++;
                default -> none++;
            }
            assertEquals(c.galleryOf(s) != 0, c.isEnrolled(s));
        }
        assertEquals(20, none);
        assertEquals(40, g1);
        assertEquals(40, g2);
    }

    @Test
    void everySubjectAppearsInAProbeVideoAndEveryEnrolledOneInAGalleryVideo() {
        // 50 gallery videos of at least 2 people each cover the 80 enrolled subjects.
        Casting c = Casting.plan(100, 150, 3);
        Set<Integer> probed = new HashSet<>(), inGalleryVideo = new HashSet<>();
        for (int v = 0; v < 150; v++) {
            Set<Integer> once = new HashSet<>(c.cast().get(v));
            assertEquals(c.cast().get(v).size(), once.size(), "nobody twice in video " + v);
            (c.galleryVideo()[v] ? inGalleryVideo : probed).addAll(c.cast().get(v));
        }
        assertEquals(100, probed.size());
        for (int s = 1; s <= 100; s++) {
            if (c.isEnrolled(s)) {
                assertTrue(inGalleryVideo.contains(s), "enrolled subject " + s + " has a gallery video");
            } else {
                assertTrue(!inGalleryVideo.contains(s), "gallery videos hold enrolled subjects only");
            }
        }
    }
}
