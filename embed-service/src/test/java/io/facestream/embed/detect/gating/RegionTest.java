package io.facestream.embed.detect.gating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegionTest {
    @Test
    void overlappingRegionsMergeTransitivelyAndSeparateOnesStay() {
        Region a = new Region(0, 0, 50, 50);
        Region b = new Region(40, 40, 50, 50); // overlaps a
        Region c = new Region(85, 0, 30, 45); // overlaps only the union of a and b (x 85..115, y 0..45 vs 0..90)
        Region far = new Region(300, 300, 20, 20);
        List<Region> merged = Region.merge(List.of(far, a, c, b));
        assertEquals(Set.of(new Region(0, 0, 115, 90), far), Set.copyOf(merged));
    }

    @Test
    void touchingIsNotOverlapping() {
        Region a = new Region(0, 0, 10, 10);
        Region b = new Region(10, 0, 10, 10);
        assertEquals(2, Region.merge(List.of(a, b)).size());
    }

    @Test
    void growingStopsAtTheFrameEdges() {
        // x 5..25 grows to -5..35, cut at 0; y 15..35 to 5..45
        assertEquals(new Region(0, 5, 35, 40), new Region(5, 15, 20, 20).grow(10, 40, 100));
        assertNull(Region.ofCorners(5, 5, 5, 10), "no pixel between the corners");
    }
}
