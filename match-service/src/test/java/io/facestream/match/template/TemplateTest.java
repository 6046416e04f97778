package io.facestream.match.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.core.json.Json;
import io.facestream.core.vector.TemplateFusion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state form of a track template; the fusion itself is tested in core ({@code TemplateFusionTest}). */
class TemplateTest {

    @Test
    void isCoresFusion() {
        List<float[]> faces = List.of(new float[] {30, 0}, new float[] {0, 10});
        Template t = Template.fuse(faces);
        assertEquals(2, t.faces());
        assertArrayEquals(TemplateFusion.of(faces).unit(), t.unit());
        assertArrayEquals(
                t.unit(), Template.empty().plus(faces.get(0)).plus(faces.get(1)).unit());
    }

    @Test
    void plusLeavesTheOriginalUnchanged() {
        Template a = Template.empty().plus(new float[] {1, 2});
        Template b = a.plus(new float[] {3, 4});
        assertArrayEquals(new double[] {1, 2}, a.sum());
        assertArrayEquals(new double[] {4, 6}, b.sum());
        assertEquals(1, a.faces());
    }

    @Test
    void refusesMixedDimensionsEmptyAndNonFinite() {
        Template a = Template.empty().plus(new float[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> a.plus(new float[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> a.plus(new float[] {Float.NaN, 1}));
        assertThrows(IllegalStateException.class, () -> Template.empty().unit());
        assertThrows(IllegalArgumentException.class, () -> Template.empty().plus(new float[0]));
        assertThrows(
                IllegalStateException.class, () -> a.plus(new float[] {-1, -2}).unit(), "cancelled out");
    }

    @Test
    void roundTripsThroughTheStateJson() throws Exception {
        Template t = Template.fuse(List.of(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f}));
        String json = Json.mapper().writeValueAsString(t);
        assertEquals(t, Json.mapper().readValue(json, Template.class));
        // a template stored with float sums (before sums were kept in double) still reads
        assertEquals(
                new Template(new double[] {1.5, 2}, 2),
                Json.mapper().readValue("{\"sum\":[1.5,2.0],\"faces\":2}", Template.class));
        assertEquals(
                Template.empty(),
                Json.mapper().readValue(Json.mapper().writeValueAsString(Template.empty()), Template.class));
    }
}
