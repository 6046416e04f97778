package io.facestream.embed.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.facestream.embed.model.convert.onnx.Onnx;
import io.facestream.embed.model.convert.onnx.OnnxGraphBuilder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PRelu as Min, Mul and Add: the same function, on slopes below 0, between 0 and 1 and above 1. */
class PreluRewriteTest {
    private static final int C = 6;
    private static final float[] SLOPES = {-9.4f, -0.5f, 0f, 0.25f, 1f, 8.9f};

    /** x → PRelu(slope) → Conv 1×1 (identity) → PRelu(same slope) → y: two nodes sharing one slope initializer. */
    private static byte[] model(boolean slopeAsInput) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("prelu");
        g.input("x", new long[] {OnnxGraphBuilder.DYNAMIC, C, 3, 3}, "N");
        String slope;
        if (slopeAsInput) {
            slope = "slope";
            g.input(slope, new long[] {C, 1, 1});
        } else {
            slope = g.floatInitializer("slope", new long[] {C, 1, 1}, SLOPES);
        }
        float[] identity = new float[C * C];
        for (int c = 0; c < C; c++) {
            identity[c * C + c] = 1;
        }
        String w = g.floatInitializer("w", new long[] {C, C, 1, 1}, identity);
        g.node("PRelu", List.of("x", slope), List.of(g.unique("a")));
        g.node("Conv", List.of("a", w), List.of(g.unique("b")));
        g.node("PRelu", List.of("b", slope), List.of(g.unique("y")));
        g.output("y", new long[] {OnnxGraphBuilder.DYNAMIC, C, 3, 3}, "N");
        return g.build(8, 13, "test", "1").toByteArray();
    }

    private static float[] run(byte[] model, float[] x, Map<String, float[]> extra) throws Exception {
        var env = OnnxSessions.environment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(model, o);
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, C, 3, 3})) {
            Map<String, OnnxTensor> inputs = new java.util.HashMap<>(Map.of("x", in));
            for (var e : extra.entrySet()) {
                inputs.put(
                        e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), new long[] {C, 1, 1}));
            }
            try (OrtSession.Result r = s.run(inputs)) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] y = new float[fb.remaining()];
                fb.get(y);
                return y;
            } finally {
                for (var e : inputs.entrySet()) {
                    if (!e.getKey().equals("x")) {
                        e.getValue().close();
                    }
                }
            }
        }
    }

    @Test
    void sameOutputsWithoutPrelu() throws Exception {
        byte[] original = model(false);
        PreluRewrite.Result r = PreluRewrite.apply(original);
        assertEquals(2, r.rewritten());
        Onnx.GraphProto g = Onnx.ModelProto.parseFrom(r.model()).getGraph();
        assertTrue(
                g.getNodeList().stream().noneMatch(n -> n.getOpType().equals("PRelu")),
                g.getNodeList().toString());
        assertEquals(
                List.of("Min", "Mul", "Add", "Conv", "Min", "Mul", "Add"),
                g.getNodeList().stream().map(Onnx.NodeProto::getOpType).toList());

        float[] x = new float[2 * C * 9];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 3);
        }
        x[0] = 0f;
        x[1] = -0f;
        float[] expected = run(original, x, Map.of());
        float[] actual = run(r.model(), x, Map.of());
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            float tolerance = 1e-5f * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
        // and by hand, for the first PRelu's own definition: x for x >= 0, slope·x below
        for (int i = 0; i < expected.length; i++) {
            float slope = SLOPES[(i / 9) % C];
            float once = x[i] >= 0 ? x[i] : slope * x[i];
            float twice = once >= 0 ? once : slope * once;
            assertEquals(twice, actual[i], 1e-4f * Math.max(1, Math.abs(twice)), "element " + i);
        }
    }

    @Test
    void aComputedSlopeIsLeftAlone() throws Exception {
        byte[] original = model(true);
        PreluRewrite.Result r = PreluRewrite.apply(original);
        assertEquals(0, r.rewritten());
        assertSame(original, r.model());
        float[] x = new float[2 * C * 9];
        java.util.Arrays.fill(x, -2f);
        float[] y = run(r.model(), x, Map.of("slope", SLOPES));
        assertEquals(SLOPES[5] * SLOPES[5] * -2f, y[5 * 9], 1e-3f);
    }

    @Test
    void modelsWithoutPreluAndNonModelsPassThrough() {
        byte[] garbage = {1, 2, 3};
        assertArrayEquals(garbage, PreluRewrite.apply(garbage).model());
        OnnxGraphBuilder g = new OnnxGraphBuilder("relu");
        g.input("x", new long[] {1, 2});
        g.node("Relu", List.of("x"), List.of(g.unique("y")));
        g.output("y", new long[] {1, 2});
        byte[] relu = g.build(8, 13, "test", "1").toByteArray();
        assertSame(relu, PreluRewrite.apply(relu).model());
    }
}
