package io.facestream.core.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemplateFusionTest {

    /**
     * A sharp face (norm 30) along x and a blurred one (norm 10) along y: sum (30, 10), unit (.948683, .316228); the
     * high-norm face weighs 3:1. An average of the unit features would give (.7071, .7071).
     */
    @Test
    void fusionIsTheSumOfRawFeaturesAtUnitLength() {
        TemplateFusion t = TemplateFusion.of(List.of(new float[] {30, 0}, new float[] {0, 10}));
        assertEquals(2, t.faces());
        assertEquals(2, t.dimension());
        assertArrayEquals(new double[] {30, 10}, t.sum());
        float[] u = t.unit();
        assertArrayEquals(new float[] {(float) (30 / Math.sqrt(1000)), (float) (10 / Math.sqrt(1000))}, u);
        assertEquals(1.0, Vectors.norm(u), 1e-7);
        assertEquals(0.316, Vectors.cosine(u, new float[] {0, 1}), 1e-3);
        assertEquals(0.707, Vectors.cosine(Vectors.unit(new float[] {1, 1}), new float[] {0, 1}), 1e-3);
        assertArrayEquals(u, t.direction().orElseThrow());
    }

    /**
     * The IJB-S reference (adaface.md §5c) takes the mean x and x / (‖x‖ + 1e-8): the same template to float32
     * resolution. Faces (3, 0) and (0, 1): mean (1.5, .5), unit (.948683, .316228).
     */
    @Test
    void agreesWithTheReferenceMeanAndEpsilon() {
        TemplateFusion t = new TemplateFusion(2).add(new float[] {3, 0}).add(new float[] {0, 1});
        double n = Math.sqrt(2.5);
        float[] reference = {(float) (1.5 / (n + 1e-8)), (float) (0.5 / (n + 1e-8))};
        assertArrayEquals(reference, t.unit());
        assertArrayEquals(new float[] {0.948683f, 0.316228f}, t.unit(), 1e-6f);

        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            TemplateFusion f = new TemplateFusion(512);
            List<float[]> faces = new ArrayList<>();
            for (int k = 0; k < 1 + r.nextInt(30); k++) {
                float[] face = new float[512];
                for (int i = 0; i < face.length; i++) {
                    face[i] = (float) (r.nextGaussian() * (0.05 + r.nextDouble()));
                }
                faces.add(face);
                f.add(face);
            }
            double[] mean = new double[512];
            faces.forEach(face -> {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += face[i];
                }
            });
            double m = 0;
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= faces.size();
                m += mean[i] * mean[i];
            }
            double scale = 1 / (Math.sqrt(m) + 1e-8);
            float[] u = f.unit();
            for (int i = 0; i < u.length; i++) {
                assertEquals(mean[i] * scale, u[i], Math.ulp(u[i]), "component " + i + " of trial " + trial);
            }
        }
    }

    /** A booking template pools the faces of its stills: {(2,0)} ∪ {(0,2),(0,2)} → sum (2, 4). */
    @Test
    void addingATemplatePoolsItsFaces() {
        TemplateFusion a = new TemplateFusion(2).add(new float[] {2, 0});
        TemplateFusion b = new TemplateFusion(2).add(new float[] {0, 2}).add(new float[] {0, 2});
        TemplateFusion both = new TemplateFusion(2).add(a).add(b);
        assertEquals(3, both.faces());
        assertArrayEquals(new double[] {2, 4}, both.sum());
        assertArrayEquals(Vectors.unit(new float[] {1, 2}), both.unit());
        assertArrayEquals(
                TemplateFusion.of(List.of(new float[] {2, 0}, new float[] {0, 2}, new float[] {0, 2}))
                        .sum(),
                both.sum());
        TemplateFusion again = new TemplateFusion(2).add(both).add(new TemplateFusion(2));
        assertArrayEquals(both.sum(), again.sum(), "an empty template adds nothing");
        assertEquals(3, again.faces());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(new TemplateFusion(3)));
        assertTrue(e.getMessage().contains("2 and 3 dimensions"), e.getMessage());
    }

    @Test
    void aTemplateWithoutFacesHasNoDirection() {
        TemplateFusion empty = new TemplateFusion(3);
        assertTrue(empty.isEmpty());
        assertEquals(0, empty.faces());
        assertArrayEquals(new double[3], empty.sum());
        assertTrue(empty.direction().isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::unit);
        assertTrue(e.getMessage().contains("empty template"), e.getMessage());
    }

    @Test
    void facesThatCancelOutHaveNoDirection() {
        TemplateFusion t = TemplateFusion.of(List.of(new float[] {1, 2}, new float[] {-1, -2}));
        assertEquals(2, t.faces());
        assertTrue(t.direction().isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::unit);
        assertTrue(e.getMessage().contains("zero length") && e.getMessage().contains("cancel out"), e.getMessage());
    }

    @Test
    void refusesOtherDimensionsNonFiniteValuesAndNoFaces() {
        TemplateFusion t = new TemplateFusion(2).add(new float[] {1, 2});
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class, () -> t.add(new float[] {1, 2, 3}));
        assertTrue(dim.getMessage().contains("2 and 3 dimensions"), dim.getMessage());
        IllegalArgumentException nan =
                assertThrows(IllegalArgumentException.class, () -> t.add(new float[] {1, Float.NaN}));
        assertTrue(nan.getMessage().contains("non-finite value NaN at index 1 of 2"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.add(new float[] {Float.NEGATIVE_INFINITY, 0}));
        assertEquals(1, t.faces(), "a refused face leaves the template unchanged");
        assertArrayEquals(new double[] {1, 2}, t.sum());
        assertThrows(IllegalArgumentException.class, () -> TemplateFusion.of(List.of()));
        assertThrows(
                IllegalArgumentException.class, () -> TemplateFusion.of(List.of(new float[] {1}, new float[] {1, 2})));
        assertThrows(IllegalArgumentException.class, () -> new TemplateFusion(0));
        assertThrows(IllegalArgumentException.class, () -> TemplateFusion.restore(new double[] {1}, -1));
    }

    @Test
    void restoreIsIndependentOfTheOriginal() {
        TemplateFusion t = new TemplateFusion(2).add(new float[] {1, 2});
        double[] stored = t.sum();
        TemplateFusion restored = TemplateFusion.restore(stored, t.faces());
        assertArrayEquals(t.sum(), restored.sum());
        assertEquals(t.faces(), restored.faces());
        stored[0] = 99;
        assertArrayEquals(new double[] {1, 2}, restored.sum(), "restore copies the stored sum");
        TemplateFusion next = TemplateFusion.restore(t.sum(), t.faces()).add(new float[] {3, 4});
        assertArrayEquals(new double[] {1, 2}, t.sum(), "faces added to a restored template do not reach the original");
        assertArrayEquals(new double[] {4, 6}, next.sum());
        assertEquals(2, next.faces());
        assertEquals(1, t.faces());
        t.sum()[1] = 7;
        assertArrayEquals(new double[] {1, 2}, t.sum(), "sum() is a copy");
    }

    @Test
    void theOrderOfTheFacesChangesTheDirectionByRoundingOnly() {
        Random r = new Random(3);
        List<float[]> faces = new ArrayList<>();
        for (int k = 0; k < 500; k++) {
            float[] f = new float[64];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (r.nextGaussian() * 20);
            }
            faces.add(f);
        }
        float[] forward = TemplateFusion.of(faces).unit();
        float[] backward = TemplateFusion.of(faces.reversed()).unit();
        assertArrayEquals(forward, backward, 1e-6f);
    }
}
