package io.facestream.trainer.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.facestream.trainer.graph.IrNet;
import io.facestream.trainer.graph.OnnxGraphBlock;
import io.facestream.trainer.head.ClassCentres;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.head.MarginHead;
import io.facestream.trainer.head.MarginLoss;
import io.facestream.trainer.head.NormStatistics;
import io.facestream.trainer.run.BaseModel;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The backward pass must not depend on when the garbage collector runs. A collection between forward and backward
 * frees every direct buffer whose Java array is gone; with glibc's MALLOC_PERTURB_ (set for these tests) freed memory
 * is overwritten at once, and the scribbling below overwrites what is reused. A tensor that borrowed such memory and
 * was kept by autograd then yields garbage gradients (before {@link Owned}: PReLU's {@code maximum(0)} and the margin
 * heads' {@code mul(scale)} did, from whatever layer down to the input).
 */
class OwnedTest {
    private static final IrNet TINY = new IrNet("ir-tiny", new int[] {8, 16, 16, 32}, new int[] {1, 1, 1, 1}, 32, 64);

    @Test
    void gradientsOfTheRealGraphAndHeadsDoNotChangeWhenACollectionFallsBetweenForwardAndBackward() throws Exception {
        for (HeadKind head : HeadKind.values()) {
            Map<String, float[]> quiet = gradients(head, false);
            Map<String, float[]> collected = gradients(head, true);
            assertEquals(quiet.keySet(), collected.keySet());
            for (String name : quiet.keySet()) {
                assertArrayEquals(quiet.get(name), collected.get(name), head + ": gradient of " + name);
            }
        }
    }

    @Test
    void scalarsAndCopiesOwnTheirMemory() throws Exception {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            NDArray x = Owned.copyOf(m, new float[] {-2, -1, 1, 2}, new Shape(4));
            x.setRequiresGradient(true);
            try (GradientCollector c = m.getEngine().newGradientCollector()) {
                NDArray y = x.mul(Owned.scalar(m, 3)).maximum(Owned.scalar(m, 0.5));
                collectAndScribble();
                c.backward(y.sum());
            }
            assertArrayEquals(new float[] {0, 0, 3, 3}, x.getGradient().toFloatArray());
            assertArrayEquals(
                    new long[] {4, 5}, Owned.copyOf(m, new long[] {4, 5}).toLongArray());
        }
    }

    private static Map<String, float[]> gradients(HeadKind kind, boolean collect) throws Exception {
        TorchRuntime.seed(1);
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            BaseModel base = BaseModel.fromScratch(TINY, 3);
            OnnxGraphBlock block = OnnxGraphBlock.load(
                    m, base.graph(), base.manifest().embedding().output());
            ParameterStore store = new ParameterStore(m, false);
            int classes = 4;
            ClassCentres centres = ClassCentres.initial(m, 32, classes, 5);
            MarginLoss loss = new MarginLoss(MarginHead.of(kind, NormStatistics.ADAFACE_INITIAL), centres);
            SplittableRandom rnd = new SplittableRandom(9);
            float[] pixels = new float[8 * 3 * 64 * 64];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) rnd.nextDouble(-1, 1);
            }
            long[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
            Map<String, float[]> out = new LinkedHashMap<>();
            try (NDScope scope = new NDScope()) {
                NDArray x = Owned.copyOf(m, pixels, new Shape(8, 3, 64, 64));
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    NDArray features = block.forward(store, new NDList(x), true).singletonOrThrow();
                    NDArray l = loss.forward(features, Owned.copyOf(m, labels), true)
                            .get(0);
                    if (collect) {
                        collectAndScribble();
                    }
                    gc.backward(l);
                }
                block.state().forEach((name, p) -> {
                    if (p.requiresGradient()) {
                        out.put(name, p.getArray().getGradient().toFloatArray());
                    }
                });
                out.put("centres", centres.weight().getGradient().toFloatArray());
            }
            assertTrue(out.size() > 10, out.keySet().toString());
            return out;
        }
    }

    /** Runs collections until the Cleaner has had time to free unreachable direct buffers, then reuses small blocks. */
    static void collectAndScribble() throws InterruptedException {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> ref = new WeakReference<>(new Object());
            while (ref.get() != null) {
                System.gc();
                Thread.sleep(2);
            }
            Thread.sleep(20);
            for (int i = 0; i < 2000; i++) {
                keep.add(ByteBuffer.allocateDirect(4 + (i % 4) * 4)
                        .order(ByteOrder.nativeOrder())
                        .putFloat(0, -1e30f));
            }
        }
    }
}
