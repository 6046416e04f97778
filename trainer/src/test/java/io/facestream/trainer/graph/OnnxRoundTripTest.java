package io.facestream.trainer.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.convert.onnx.Onnx.NodeProto;
import io.facestream.trainer.testing.WithTorchManager;
import io.facestream.trainer.torch.TorchRuntime;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxRoundTripTest extends WithTorchManager {
    private static final IrNet TINY = new IrNet("ir-tiny", new int[] {8, 16, 16, 32}, new int[] {1, 2, 1, 1}, 32, 112);

    @Test
    void trainedWeightsExportedToOnnxRunInOnnxRuntimeLikeTheDjlForward() throws Exception {
        OnnxGraphBlock block = OnnxGraphBlock.load(manager, TINY.build(7), null);
        NDArray meanBefore =
                block.state().get("body.0.res_layer.2.running_mean").getArray().duplicate();
        OnnxGraphBlock reimported = trainExportAndCompare(block);
        assertNotEquals(
                meanBefore.getFloat(0),
                block.state().get("body.0.res_layer.2.running_mean").getArray().getFloat(0),
                "BatchNormalization in training mode must update its running mean");
        // and the export really carries the trained weights, not the originals
        assertEquals(
                block.state().get("input_layer.0.weight").getArray().getFloat(0, 0, 0, 0),
                reimported.state().get("input_layer.0.weight").getArray().getFloat(0, 0, 0, 0));
    }

    /**
     * The converted MobileFaceNet of the model zoo (its pinned version: the cache may also hold candidates of earlier
     * `train` runs), when this machine has it installed (./facestream models pull). The imported forward must match
     * ONNX Runtime at one and at two intra-op threads, before and after training.
     */
    @Test
    void mobileFaceNetRoundTripsThroughTraining() throws Exception {
        java.nio.file.Path dir = io.facestream.core.config.FacestreamPaths.fromEnvironment()
                .cache("models")
                .resolve("mobilefacenet");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isDirectory(dir), "mobilefacenet not installed in " + dir);
        var installed = io.facestream.embed.model.zoo.ModelZoo.ensure(
                new io.facestream.embed.model.ModelStore(dir.getParent()), "mobilefacenet");
        var m = installed.manifest();
        OnnxGraphBlock block = OnnxGraphBlock.load(
                manager,
                OnnxExport.read(installed.path(m.files().get(0).role())),
                m.embedding().output());
        System.out.println("mobilefacenet ops: " + block.opTypes());
        int threads = TorchRuntime.intraOpThreads();
        try {
            for (int t : new int[] {1, 2}) {
                TorchRuntime.intraOpThreads(t);
                Shape shape = block.inputShape(3);
                float[] input = randomInput((int) shape.size(), 5);
                assertClose(
                        block.forward(null, new NDList(manager.create(input, shape)), false)
                                .singletonOrThrow()
                                .toFloatArray(),
                        runOrt(block.model(), block, input, shape),
                        "imported graph at " + t + " intra-op thread(s)");
            }
        } finally {
            TorchRuntime.intraOpThreads(threads);
        }
        trainExportAndCompare(block);
    }

    @Test
    void aGraphWithANonFiniteWeightIsRefusedAtImportNamingIt() {
        ModelProto m = TINY.build(1);
        var g = m.getGraph().toBuilder();
        int index = -1;
        for (int i = 0; i < g.getInitializerCount() && index < 0; i++) {
            if (OnnxTensors.isFloat(g.getInitializer(i))) {
                index = i;
            }
        }
        var t = g.getInitializer(index);
        float[] w = OnnxTensors.floats(t);
        w[0] = Float.POSITIVE_INFINITY;
        g.setInitializer(index, OnnxTensors.withValues(t, w));
        UnsupportedOnnxException e = assertThrows(
                UnsupportedOnnxException.class,
                () -> OnnxGraphBlock.load(manager, m.toBuilder().setGraph(g).build(), null));
        assertTrue(
                e.getMessage().contains("'" + t.getName() + "'")
                        && e.getMessage().contains("NaN or Inf"),
                e.getMessage());
    }

    /** Three SGD steps on a random batch, export, and ONNX Runtime vs DJL (inference mode) to float rounding. */
    private static OnnxGraphBlock trainExportAndCompare(OnnxGraphBlock block) throws Exception {
        Shape shape = block.inputShape(3);
        float[] input = randomInput((int) shape.size(), 11);
        NDArray x = manager.create(input, shape);
        // before any training, the imported graph must compute what ONNX Runtime computes
        assertClose(
                block.forward(null, new NDList(x), false).singletonOrThrow().toFloatArray(),
                runOrt(block.model(), block, input, shape),
                "imported graph");

        // A few real training steps: gradients through every op, running statistics updated in place.
        for (int step = 0; step < 3; step++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = block.forward(null, new NDList(x), true).singletonOrThrow();
                // |f| has bounded gradients whatever the feature scale (MobileFaceNet's raw norms are large)
                gc.backward(f.abs().mean());
            }
            for (Parameter p : block.state().values()) {
                if (p.requiresGradient()) {
                    NDArray g = p.getArray().getGradient();
                    p.getArray().subi(g.mul(1e-4f));
                    io.facestream.trainer.numerics.Finite.zero(g);
                }
            }
        }
        float[] djl =
                block.forward(null, new NDList(x), false).singletonOrThrow().toFloatArray();

        ModelProto exported = OnnxExport.export(block);
        float[] ort = runOrt(exported, block, input, shape);
        assertClose(djl, ort, "trained graph");
        return OnnxGraphBlock.load(manager, exported, block.outputName());
    }

    /**
     * The ops torch.onnx writes around an AdaFace backbone (ops/scripts/export_adaface_onnx.py): the flatten as
     * Shape → Gather → Unsqueeze → Concat → Reshape, and the exported raw feature = (f / ‖f‖) · ‖f‖ with ReduceL2.
     * The tiny IR net rewritten that way imports, trains and round-trips like the plain graph.
     */
    @Test
    void pytorchExportOpsImportTrainAndRoundTrip() throws Exception {
        ModelProto plain = TINY.build(7);
        var g = plain.getGraph().toBuilder();
        int flatten = -1;
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Flatten")) {
                flatten = i;
            }
        }
        NodeProto old = g.getNode(flatten);
        String x = old.getInput(0);
        g.addInitializer(io.facestream.embed.model.convert.onnx.Onnx.TensorProto.newBuilder()
                .setName("batch_index")
                .setDataType(io.facestream.embed.model.convert.onnx.Onnx.TensorProto.DataType.INT64_VALUE)
                .addInt64Data(0));
        g.addInitializer(OnnxTensors.longTensor("unsqueeze_axes", 0));
        g.addInitializer(OnnxTensors.longTensor("minus_one", -1));
        java.util.List<NodeProto> viewAsFlatten = java.util.List.of(
                node("Shape", "view.shape", new String[] {x}, "dims"),
                node(
                        "Gather",
                        "view.batch",
                        new String[] {"dims", "batch_index"},
                        "batch",
                        GraphWriter.integer("axis", 0)),
                node("Unsqueeze", "view.batch1", new String[] {"batch", "unsqueeze_axes"}, "batch1"),
                node(
                        "Concat",
                        "view.target",
                        new String[] {"batch1", "minus_one"},
                        "target",
                        GraphWriter.integer("axis", 0)),
                node("Reshape", "view", new String[] {x, "target"}, old.getOutput(0)));
        g.removeNode(flatten);
        for (int i = viewAsFlatten.size() - 1; i >= 0; i--) {
            g.addNode(flatten, viewAsFlatten.get(i));
        }
        int last = g.getNodeCount() - 1;
        g.setNode(last, g.getNode(last).toBuilder().setOutput(0, "bn_feature"));
        g.addNode(node(
                "ReduceL2",
                "norm",
                new String[] {"bn_feature"},
                "norm",
                GraphWriter.ints("axes", 1),
                GraphWriter.integer("keepdims", 1)));
        g.addNode(node("Div", "unit", new String[] {"bn_feature", "norm"}, "unit"));
        g.addNode(node("Mul", "raw", new String[] {"unit", "norm"}, IrNet.OUTPUT));
        ModelProto exportLike = plain.toBuilder().setGraph(g).build();

        OnnxGraphBlock block = OnnxGraphBlock.load(manager, exportLike, null);
        assertTrue(
                block.opTypes().containsAll(java.util.List.of("Shape", "Gather", "ReduceL2")),
                block.opTypes().toString());
        trainExportAndCompare(block);
    }

    private static NodeProto node(
            String op,
            String name,
            String[] inputs,
            String output,
            io.facestream.embed.model.convert.onnx.Onnx.AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (var a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    @Test
    void ir18HasThePapersParameterCount() {
        try (NDManager local = manager.newSubManager()) {
            OnnxGraphBlock block = OnnxGraphBlock.load(local, IrNet.ir18().build(1), null);
            assertEquals(24_020_352L, block.trainableSize());
            assertEquals(new Shape(2, 512), block.getOutputShapes(new Shape[] {new Shape(2, 3, 112, 112)})[0]);
        }
    }

    @Test
    void unsupportedOpIsNamedWithItsNode() {
        ModelProto m = TINY.build(1);
        var g = m.getGraph().toBuilder();
        g.setNode(3, NodeProto.newBuilder(g.getNode(3)).setOpType("HardSwish").setName("odd-node"));
        UnsupportedOnnxException e = assertThrows(
                UnsupportedOnnxException.class,
                () -> OnnxGraphBlock.load(manager, m.toBuilder().setGraph(g).build(), null));
        assertTrue(e.getMessage().contains("odd-node") && e.getMessage().contains("HardSwish"), e.getMessage());
    }

    private static void assertClose(float[] djl, float[] ort, String what) {
        assertEquals(djl.length, ort.length);
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < djl.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(djl[i] - ort[i]));
            maxAbs = Math.max(maxAbs, Math.abs(ort[i]));
        }
        // float32 rounding grows with the values: two engines summing in other orders and vector widths differ by a few
        // parts in a million of the largest value (1.07e-4 at values up to 113 with PyTorch's oneDNN capped at AVX2,
        // TorchRuntime), while a wrong kernel is off by whole units (1.2 on MobileFaceNet, the case this test caught)
        double tolerance = 1e-4 + 2e-6 * maxAbs;
        assertTrue(
                maxDiff < tolerance,
                what + ": ONNX Runtime vs DJL max |Δ| = " + maxDiff + " (max |value| " + maxAbs + ", tolerance "
                        + tolerance + ")");
    }

    private static float[] runOrt(ModelProto model, OnnxGraphBlock block, float[] input, Shape shape) throws Exception {
        float[] ort;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape.getShape());
                OrtSession.Result r = session.run(Map.of(block.inputName(), t))) {
            float[][] out = (float[][]) r.get(block.outputName()).orElseThrow().getValue();
            ort = new float[out.length * out[0].length];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(out[i], 0, ort, i * out[0].length, out[0].length);
            }
        }
        return ort;
    }

    private static float[] randomInput(int size, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
