package io.facestream.embed.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.Integration;
import io.facestream.embed.model.convert.tflite.TfliteReader;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every converted model, run in ONNX Runtime, reproduces the golden outputs of the TFLite reference
 * (test resources, golden/) within 1e-4 relative, with relative error defined as {@code |a − b| / max(1, |b|)} (so values
 * below 1 in magnitude are held to 1e-4 absolute). Both the fused (default) and the literal 1:1 lowering are checked.
 */
@Integration
class GoldenParityTest {
    static final double TOLERANCE = 1e-4;
    private static final Map<String, ConvertedModel> CONVERTED = new ConcurrentHashMap<>();

    static ConvertedModel converted(String tfliteFile, boolean fused) {
        return CONVERTED.computeIfAbsent(tfliteFile + fused, k -> {
            ConversionOptions options = tfliteFile.equals("pnet.tflite")
                    ? ConversionOptions.fullyConvolutional()
                    : ConversionOptions.defaults();
            return TfliteToOnnx.convert(
                    TfliteReader.read(ByteBuffer.wrap(GoldenModels.tflite(tfliteFile)), tfliteFile),
                    fused ? options : options.literal(),
                    tfliteFile);
        });
    }

    static java.util.stream.Stream<String> folders() {
        return GoldenModels.folders().stream();
    }

    @ParameterizedTest(name = "{0} fused")
    @MethodSource("folders")
    void fusedConversionMatchesGolden(String folder) throws Exception {
        assertGolden(folder, true, false);
    }

    @ParameterizedTest(name = "{0} literal")
    @MethodSource("folders")
    void literalConversionMatchesGolden(String folder) throws Exception {
        assertGolden(folder, false, false);
    }

    /** As a CPU session opens it: PRelu rewritten into Min, Mul, Add ({@code PreluRewrite}). */
    @ParameterizedTest(name = "{0} PRelu rewritten")
    @MethodSource("folders")
    void rewrittenConversionMatchesGolden(String folder) throws Exception {
        assertGolden(folder, true, true);
    }

    private static void assertGolden(String folder, boolean fused, boolean rewritten) throws Exception {
        GoldenModels.Golden g = GoldenModels.golden(folder);
        ConvertedModel model = converted(g.model(), fused);
        byte[] onnx = rewritten
                ? io.facestream.embed.onnx.PreluRewrite.apply(model.onnx()).model()
                : model.onnx();
        try (OrtRunner ort = new OrtRunner(onnx)) {
            Map<String, float[]> actual = ort.run(g.inputName(), g.input(), g.inputShape());
            for (Map.Entry<String, float[]> e : g.outputs().entrySet()) {
                float[] got = actual.get(e.getKey());
                assertTrue(got != null, folder + ": output " + e.getKey() + " missing; outputs are " + actual.keySet());
                assertArrayEquals(
                        g.outputShapes().get(e.getKey()),
                        ort.shapeOf(e.getKey(), g.inputName(), g.input(), g.inputShape()),
                        folder + " " + e.getKey() + " shape");
                double err = maxRelativeError(got, e.getValue());
                System.out.printf(
                        "parity %-28s %-8s %-26s max rel err %.2e%n",
                        folder, rewritten ? "rewritten" : fused ? "fused" : "literal", e.getKey(), err);
                assertTrue(err <= TOLERANCE, folder + " " + e.getKey() + ": max relative error " + err);
            }
        }
    }

    /** rnet, onet and MobileFaceNet: any batch gives the same rows as one crop at a time. */
    @ParameterizedTest(name = "{0} batch rows")
    @MethodSource("batchedFolders")
    void batchRowsEqualSingleRuns(String folder) throws Exception {
        GoldenModels.Golden g = GoldenModels.golden(folder);
        int n = (int) g.inputShape()[0];
        int rowSize = g.input().length / n;
        // batch n+1: the golden rows plus the first row again, which exercises a batch the file never had baked in
        float[] bigger = Arrays.copyOf(g.input(), g.input().length + rowSize);
        System.arraycopy(g.input(), 0, bigger, g.input().length, rowSize);
        long[] biggerShape = g.inputShape().clone();
        biggerShape[0] = n + 1;
        try (OrtRunner ort = new OrtRunner(converted(g.model(), true).onnx())) {
            Map<String, float[]> batched = ort.run(g.inputName(), bigger, biggerShape);
            for (int row = 0; row <= n; row++) {
                int src = row % n;
                long[] one = g.inputShape().clone();
                one[0] = 1;
                Map<String, float[]> single =
                        ort.run(g.inputName(), Arrays.copyOfRange(g.input(), src * rowSize, (src + 1) * rowSize), one);
                for (String name : g.outputs().keySet()) {
                    float[] all = batched.get(name);
                    int width = all.length / (n + 1);
                    float[] rowOut = Arrays.copyOfRange(all, row * width, (row + 1) * width);
                    float[] expected = Arrays.copyOfRange(g.outputs().get(name), src * width, (src + 1) * width);
                    assertTrue(
                            maxRelativeError(rowOut, single.get(name)) <= TOLERANCE,
                            folder + " row " + row + " " + name + " differs between batch " + (n + 1) + " and batch 1");
                    assertTrue(
                            maxRelativeError(rowOut, expected) <= TOLERANCE,
                            folder + " row " + row + " " + name + " differs from golden");
                }
            }
        }
    }

    static java.util.stream.Stream<String> batchedFolders() {
        return java.util.stream.Stream.of("rnet_3x24x24x3", "onet_2x48x48x3", "MobileFaceNet_2x112x112x3");
    }

    /** The fused graphs have the node counts of the prototype converter (models.md §5.2) — proof the fusions fired. */
    @Test
    void fusionsCollapseThePatterns() {
        GoldenModels.goldenRoot();
        ConvertedModel pnet = converted("pnet.tflite", true);
        assertEquals(Map.of("prelu(relu+neg)", 3, "softmax", 1), pnet.fused());
        ConvertedModel mfn = converted("MobileFaceNet.tflite", true);
        assertEquals(Map.of("prelu(x-abs)", 33), mfn.fused());
        assertEquals(null, mfn.onnxOps().get("Abs"));
        assertEquals(
                Map.of("prelu(relu+neg)", 5, "softmax", 1),
                converted("onet.tflite", true).fused());
        System.out.printf(
                "nodes fused/literal: pnet %d/%d, rnet %d/%d, onet %d/%d, MobileFaceNet %d/%d%n",
                pnet.nodeCount(),
                converted("pnet.tflite", false).nodeCount(),
                converted("rnet.tflite", true).nodeCount(),
                converted("rnet.tflite", false).nodeCount(),
                converted("onet.tflite", true).nodeCount(),
                converted("onet.tflite", false).nodeCount(),
                mfn.nodeCount(),
                converted("MobileFaceNet.tflite", false).nodeCount());
    }

    static double maxRelativeError(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "element count");
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (!(err <= max)) {
                max = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
            }
        }
        return max;
    }
}
