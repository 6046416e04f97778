package io.facestream.embed.detect.gating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class MotionGateTest {
    private final Frames frames = new Frames(640, 480);

    @Test
    void aStillSceneWithSensorNoiseHasNoMotion() {
        try (MotionGate gate = new MotionGate(160, 12)) {
            for (int i = 0; i < 4; i++) {
                try (Mat f = frames.frame(6, 0)) {
                    assertEquals(List.of(), gate.moved(f), "frame " + i + ": noise of ±6 grey levels is no motion");
                }
            }
        }
    }

    @Test
    void aMovingBlockIsFoundWhereItWasAndWhereItWentAndNowhereElse() {
        try (MotionGate gate = new MotionGate(160, 12);
                Mat first = frames.frame(4, 60, 200, 150);
                Mat second = frames.frame(4, 60, 240, 170)) {
            assertEquals(List.of(), gate.moved(first), "the first frame has nothing to compare with");
            List<Region> moved = gate.moved(second);
            assertEquals(1, moved.size(), "the block's old and new place touch: one region, got " + moved);
            Region r = moved.get(0);
            // covers both positions of the block (x 200..300, y 150..230), within the dilation's few small pixels
            assertTrue(r.x() <= 200 && r.y() <= 150 && r.right() >= 300 && r.bottom() >= 230, "covers the block: " + r);
            assertTrue(
                    r.x() >= 200 - 24 && r.y() >= 150 - 24 && r.right() <= 300 + 24 && r.bottom() <= 230 + 24,
                    "and not much more: " + r);
        }
    }

    @Test
    void twoObjectsFarApartAreFoundApartAndAStoppedOneIsNone() {
        try (MotionGate gate = new MotionGate(160, 12);
                Mat a = frames.frame(4, 40, 40, 40, 500, 380);
                Mat b = frames.frame(4, 40, 80, 40, 520, 380);
                Mat c = frames.frame(4, 40, 80, 40, 520, 380)) {
            gate.moved(a);
            List<Region> moved = gate.moved(b);
            // a solid block that moves less than its width changes only at its leading and trailing edges: the
            // bottom-right one (moved 20 of 40 px) may be two strips; the gate's margin and merge join them later
            List<Region> topLeft = moved.stream()
                    .filter(r -> r.right() <= 200 && r.bottom() <= 200)
                    .toList();
            List<Region> bottomRight =
                    moved.stream().filter(r -> r.x() >= 400 && r.y() >= 300).toList();
            assertEquals(moved.size(), topLeft.size() + bottomRight.size(), "nothing elsewhere: " + moved);
            assertEquals(1, topLeft.size(), "the top-left block moved its own width: " + moved);
            assertTrue(!bottomRight.isEmpty(), "the bottom-right block: " + moved);
            Region all = bottomRight.stream().reduce(Region::union).orElseThrow();
            assertTrue(
                    all.x() <= 500 && all.right() >= 560 && all.y() <= 380 && all.bottom() >= 420, "spans it: " + all);
            assertEquals(List.of(), gate.moved(c), "neither moved since");
        }
    }

    @Test
    void aResetOrANewFrameSizeComparesWithNothing() {
        try (MotionGate gate = new MotionGate(160, 12);
                Mat a = frames.frame(0, 40, 40, 40);
                Mat b = frames.frame(0, 40, 200, 200);
                Mat other = new Frames(320, 240).frame(0, 40, 10, 10)) {
            gate.moved(a);
            gate.reset();
            assertEquals(List.of(), gate.moved(b));
            assertEquals(List.of(), gate.moved(other));
        }
    }
}
