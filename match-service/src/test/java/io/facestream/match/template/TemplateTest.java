package io.facestream.match.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateTest {

    @Test
    void fusionIsTheSumOfRawFeaturesThenUnitLength() {
        // a high-norm face pointing along x and a low-norm face pointing along y
        Template t = Template.fuse(List.of(new float[] {30, 0}, new float[] {0, 10}));
        assertEquals(2, t.faces());
        float[] u = t.unit();
        assertEquals(30 / Math.sqrt(1000), u[0], 1e-6, "the high-norm (high-quality) face dominates 3:1");
        assertEquals(10 / Math.sqrt(1000), u[1], 1e-6);
        assertEquals(1.0, UnitVectors.norm(u), 1e-6);
    }

    @Test
    void differsFromAveragingUnitVectors() {
        Template t = Template.fuse(List.of(new float[] {30, 0}, new float[] {0, 10}));
        float[] mean = UnitVectors.normalize(new float[] {1, 1});
        assertEquals(0.707, UnitVectors.cosine(mean, new float[] {0, 1}), 1e-3);
        assertEquals(0.316, UnitVectors.cosine(t.unit(), new float[] {0, 1}), 1e-3);
    }

    @Test
    void plusLeavesTheOriginalUnchanged() {
        Template a = Template.empty().plus(new float[] {1, 2});
        Template b = a.plus(new float[] {3, 4});
        assertArrayEquals(new float[] {1, 2}, a.sum());
        assertArrayEquals(new float[] {4, 6}, b.sum());
    }

    @Test
    void refusesMixedDimensionsEmptyAndNonFinite() {
        Template a = Template.empty().plus(new float[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> a.plus(new float[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> a.plus(new float[] {Float.NaN, 1}));
        assertThrows(IllegalStateException.class, () -> Template.empty().unit());
        assertThrows(IllegalArgumentException.class, () -> Template.empty().plus(new float[0]));
    }
}
