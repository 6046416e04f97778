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
import io.facestream.trainer.torch.TorchRuntime;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxRoundTripTest {
    private static final IrNet TINY = new IrNet("ir-tiny", new int[] {8, 16, 16, 32}, new int[] {1, 2, 1, 1}, 32, 112);
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = TorchRuntime.engine().newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void trainedWeightsExportedToOnnxRunInOnnxRuntimeLikeTheDjlForward() throws Exception {
        OnnxGraphBlock block = OnnxGraphBlock.load(manager, TINY.build(7), null);
        float[] input = randomInput(3, 11);
        NDArray x = manager.create(input, new Shape(3, 3, 112, 112));
        NDArray meanBefore = block.state().get("body.0.res_layer.2.running_mean").getArray().duplicate();

        // A few real training steps: gradients through every op, running statistics updated in place.
        for (int step = 0; step < 3; step++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = block.forward(null, new NDList(x), true).singletonOrThrow();
                gc.backward(f.square().mean());
            }
            for (Parameter p : block.state().values()) {
                if (p.requiresGradient()) {
                    NDArray g = p.getArray().getGradient();
                    p.getArray().subi(g.mul(0.5f));
                    g.subi(g);
                }
            }
        }
        assertNotEquals(meanBefore.getFloat(0), block.state().get("body.0.res_layer.2.running_mean").getArray().getFloat(0),
                "BatchNormalization in training mode must update its running mean");
        float[] djl = block.forward(null, new NDList(x), false).singletonOrThrow().toFloatArray();

        ModelProto exported = OnnxExport.export(block);
        float[] ort;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(exported.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {3, 3, 112, 112});
             OrtSession.Result r = session.run(Map.of(IrNet.INPUT, t))) {
            float[][] out = (float[][]) r.get(0).getValue();
            ort = new float[out.length * out[0].length];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(out[i], 0, ort, i * out[0].length, out[0].length);
            }
        }
        assertEquals(djl.length, ort.length);
        double maxDiff = 0;
        for (int i = 0; i < djl.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(djl[i] - ort[i]));
        }
        assertTrue(maxDiff < 1e-4, "ONNX Runtime vs DJL max |Δ| = " + maxDiff);
        // and the export really carries the trained weights, not the originals
        OnnxGraphBlock reimported = OnnxGraphBlock.load(manager, exported, null);
        assertEquals(block.state().get("input_layer.0.weight").getArray().getFloat(0, 0, 0, 0),
                reimported.state().get("input_layer.0.weight").getArray().getFloat(0, 0, 0, 0));
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
        UnsupportedOnnxException e = assertThrows(UnsupportedOnnxException.class,
                () -> OnnxGraphBlock.load(manager, m.toBuilder().setGraph(g).build(), null));
        assertTrue(e.getMessage().contains("odd-node") && e.getMessage().contains("HardSwish"), e.getMessage());
    }

    private static float[] randomInput(int batch, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[batch * 3 * 112 * 112];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
