package io.facestream.eval.ijbs.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TemplateFusionTest {

    /**
     * Faces (3, 0) (norm 3) and (0, 1) (norm 1): mean (1.5, .5), ‖·‖ = √2.5 = 1.58114, unit (.948683, .316228).
     * An average of unit vectors would give (.7071, .7071): the high-norm face must dominate.
     */
    @Test
    void fusionIsNormWeighted() {
        TemplateFusion t = new TemplateFusion(2);
        t.add(new float[] {3, 0});
        t.add(new float[] {0, 1});
        assertEquals(2, t.faces());
        double n = Math.sqrt(2.5);
        assertArrayEquals(new double[] {1.5 / (n + 1e-8), 0.5 / (n + 1e-8)}, t.vector(), 1e-12);
        assertArrayEquals(new double[] {0.948683, 0.316228}, t.vector(), 1e-6);
    }

    @Test
    void emptyTemplateIsTheZeroVector() {
        TemplateFusion empty = new TemplateFusion(3);
        assertEquals(0, empty.faces());
        assertArrayEquals(new double[] {0, 0, 0}, empty.vector());
    }

    /** A booking template is the mean over all faces of its stills: {(2,0)} ∪ {(0,2),(0,2)} → mean (2/3, 4/3). */
    @Test
    void mergingPoolsTheFacesNotTheMeans() {
        TemplateFusion a = new TemplateFusion(2);
        a.add(new float[] {2, 0});
        TemplateFusion b = new TemplateFusion(2);
        b.add(new float[] {0, 2});
        b.add(new float[] {0, 2});
        TemplateFusion both = new TemplateFusion(2);
        both.add(a);
        both.add(b);
        double n = Math.sqrt(4 / 9.0 + 16 / 9.0);
        assertArrayEquals(new double[] {(2 / 3.0) / (n + 1e-8), (4 / 3.0) / (n + 1e-8)}, both.vector(), 1e-12);
    }

    @Test
    void wrongDimensionIsRefused() {
        TemplateFusion t = new TemplateFusion(2);
        assertThrows(IllegalArgumentException.class, () -> t.add(new float[] {1, 2, 3}));
    }
}
