package io.facestream.gallery.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatePlanTest {
    private static final ModelVersion M = new ModelVersion("m", "1");
    private static final ModelVersion N = new ModelVersion("n", "1");

    private static Medium medium(String id, Embedding... embeddings) {
        return new Medium("g", "s", id, List.of(embeddings), List.of(), Map.of(), 0);
    }

    @Test
    void bookingTemplateWeighsByNormPerModelVersion() {
        // a sharp face (norm 30) along x, a blurred one (norm 10) along y; the second medium has no N vector
        TemplatePlan.Template t = TemplatePlan.forSubject(List.of(
                medium("a", new Embedding(M, new float[] {30, 0}), new Embedding(N, new float[] {0, 0, 2})),
                medium("b", new Embedding(M, new float[] {0, 10}))));
        assertEquals("", t.mediaId());
        float[] fused = t.vectors().get(M);
        assertEquals(1.0, Math.hypot(fused[0], fused[1]), 1e-6);
        assertEquals(3.0, fused[0] / fused[1], 1e-5, "the high-norm feature must weigh 3x the low-norm one");
        assertArrayEquals(new float[] {0, 0, 1}, t.vectors().get(N));
    }

    @Test
    void singleMediumIsItsUnitFeature() {
        TemplatePlan.Template t = TemplatePlan.forMedium(medium("a", new Embedding(M, new float[] {3, 4})));
        assertEquals("a", t.mediaId());
        assertArrayEquals(new float[] {0.6f, 0.8f}, t.vectors().get(M), 1e-6f);
    }

    @Test
    void refusesMixedDimensionsAndDropsCancellingMedia() {
        var e = assertThrows(
                GalleryInputException.class,
                () -> TemplatePlan.forSubject(List.of(
                        medium("a", new Embedding(M, new float[] {1, 0})),
                        medium("b", new Embedding(M, new float[] {1, 0, 0})))));
        assertTrue(
                e.getMessage().contains(M.toString()) && e.getMessage().contains("2 and 3 dimensions"), e.getMessage());
        // cancelling media make no template of that model (a replica re-fusing them must not stop), the others stay
        var c = TemplatePlan.forSubject(List.of(
                medium("a", new Embedding(M, new float[] {1, 2})),
                medium("b", new Embedding(M, new float[] {-1, -2})),
                medium("c", new Embedding(N, new float[] {0, 0, 2}))));
        assertFalse(c.vectors().containsKey(M));
        assertArrayEquals(new float[] {0, 0, 1}, c.vectors().get(N));
    }

    @Test
    void embeddingRefusesNonFiniteAndZeroVectors() {
        assertTrue(assertThrows(GalleryInputException.class, () -> new Embedding(M, new float[] {1, Float.NaN}))
                .getMessage()
                .contains("non-finite value NaN at index 1"));
        assertTrue(assertThrows(
                        GalleryInputException.class, () -> new Embedding(M, new float[] {Float.POSITIVE_INFINITY, 1}))
                .getMessage()
                .contains("non-finite value Infinity at index 0"));
        assertTrue(assertThrows(GalleryInputException.class, () -> new Embedding(M, new float[3]))
                .getMessage()
                .contains("zero vector"));
        assertEquals(5.0, new Embedding(M, new float[] {3, 4}).norm(), 0);
    }
}
