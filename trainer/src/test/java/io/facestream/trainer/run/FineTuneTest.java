package io.facestream.trainer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.graph.IrNet;
import io.facestream.trainer.graph.OnnxExport;
import io.facestream.trainer.head.CentreInit;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.numerics.TrainingDivergedException;
import io.facestream.trainer.testing.SyntheticFaces;
import io.facestream.trainer.torch.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneTest {
    private static final IrNet TINY = new IrNet("ir-tiny", new int[] {8, 16, 16, 32}, new int[] {1, 1, 1, 1}, 32, 64);

    @TempDir
    static Path shared;

    static Path data;
    static ModelStore store;

    @BeforeAll
    static void prepare() {
        data = SyntheticFaces.folder(shared.resolve("faces"), 6, 8);
        store = new ModelStore(shared.resolve("models"));
        // the base model is an installed ONNX embedder, as in production
        BaseModel scratch = BaseModel.fromScratch(TINY, 3);
        Path onnx = shared.resolve("tiny.onnx");
        OnnxExport.write(scratch.graph(), onnx);
        store.install(scratch.manifest(), Map.of("main", onnx));
    }

    private static Hyperparameters hyper() {
        return Hyperparameters.defaults()
                .withBatch(16)
                .withLearningRate(0.02)
                .withSeed(11)
                .withLoaderThreads(1)
                .withCheckpointEvery(3)
                .withCentres(CentreInit.PROTOTYPES);
    }

    private static FineTuneRequest request(Budget budget, Path work, Path resume) {
        return request("ir-tiny@0", hyper(), budget, work, resume);
    }

    private static FineTuneRequest request(String base, Hyperparameters hyper, Budget budget, Path work, Path resume) {
        return new FineTuneRequest(
                data, base, HeadKind.ADAFACE, budget, hyper, Augmentation.PAPER, "cpu", work, resume);
    }

    /** Every checkpointed tensor of a run (weights, running statistics, centres, momentum), in file order, flattened. */
    private static float[] trainedState(FineTuneResult r) {
        var tensors = Checkpoint.read(r.checkpoint()).tensors().values();
        float[] all =
                new float[tensors.stream().mapToInt(t -> t.values().length).sum()];
        int at = 0;
        for (var t : tensors) {
            System.arraycopy(t.values(), 0, all, at, t.values().length);
            at += t.values().length;
        }
        return all;
    }

    /**
     * The same command twice gives the same run: a bare model name means the base version, not the candidate the
     * previous run installed (each run would otherwise start where the last one ended).
     */
    @Test
    void aBareNameStartsEveryRunFromTheBaseNotFromTheLastCandidate(@TempDir Path work) {
        FineTuneResult first = new FineTune(store, l -> {})
                .run(request("ir-tiny", hyper(), new Budget.Steps(3), work.resolve("1"), null));
        FineTuneResult second = new FineTune(store, l -> {})
                .run(request("ir-tiny", hyper(), new Budget.Steps(3), work.resolve("2"), null));
        assertEquals("ir-tiny@0", Checkpoint.read(second.checkpoint()).state().base());
        // with 3 steps, firstLoss is the first step's loss: computed before any update, it repeats at every thread
        // count
        assertEquals(first.metrics().firstLoss(), second.metrics().firstLoss(), 0.0);
        String candidate = second.candidate().manifest().version();
        assertEquals(
                candidate,
                BaseModel.resolve(store, "ir-tiny@" + candidate, 1).manifest().version(),
                "a candidate by its version");
    }

    /**
     * Same seed, same intra-op thread count: bit-identical weights. Runs in both test executions (one thread per core,
     * and one thread). Before {@link io.facestream.trainer.torch.Owned}, a collection between forward and backward
     * made about one run in thirty leave the trajectory here.
     */
    @Test
    void theSameSeedGivesTheSameWeights(@TempDir Path work) {
        float[] a =
                trainedState(new FineTune(store, l -> {}).run(request(new Budget.Steps(6), work.resolve("a"), null)));
        float[] b =
                trainedState(new FineTune(store, l -> {}).run(request(new Budget.Steps(6), work.resolve("b"), null)));
        assertArrayEquals(a, b, "at " + TorchRuntime.intraOpThreads() + " intra-op thread(s)");
    }

    @Test
    void aStepThatTurnsNonFiniteStopsTheRunNamingStepParameterAndBatch(@TempDir Path work) {
        long installed = store.list().size();
        // a learning rate past float32's range makes the first update write infinities into the first parameter
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class,
                () -> new FineTune(store, l -> {})
                        .run(request("ir-tiny@0", hyper().withLearningRate(1e39), new Budget.Steps(3), work, null)));
        assertEquals(0, e.step());
        assertTrue(e.where().startsWith("the parameter '"), e.getMessage());
        assertEquals(16, e.batch().size());
        assertTrue(
                e.batch().stream().allMatch(b -> b.endsWith(".jpg"))
                        && e.getMessage().contains(e.batch().get(0)),
                e.getMessage());
        assertEquals(installed, store.list().size(), "nothing is installed after a diverged run");
    }

    @Test
    void shortFineTuneLowersTheLossAndInstallsANewVersion(@TempDir Path work) {
        List<String> lines = new ArrayList<>();
        FineTuneResult r = new FineTune(store, l -> {
                    lines.add(l);
                    System.out.println(l);
                })
                .run(request(new Budget.Epochs(8), work, null));

        assertEquals(24, r.metrics().steps());
        assertTrue(
                r.metrics().finalLoss() < r.metrics().firstLoss() * 0.8,
                "loss should fall: " + r.metrics().firstLoss() + " -> "
                        + r.metrics().finalLoss());
        ModelManifest m = r.candidate().manifest();
        assertTrue(m.version().matches("0-ft\\.\\d+"), m.version());
        assertEquals(m.version(), store.load("ir-tiny").manifest().version(), "the candidate is the newest version");
        assertTrue(m.embedding().normMean() > 0 && m.embedding().normStd() > 0);
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("step \\d+/24 epoch \\d+ loss .* lr .* img/s .* ETA .*")),
                lines.toString());
    }

    @Test
    void resumedRunRepeatsTheUninterruptedOne(@TempDir Path work) {
        // continue from the step-3 checkpoint of the first run, as if it had been interrupted there
        Path mid = work.resolve("a").resolve("checkpoints").resolve("step-00000003");
        FineTuneResult straight =
                new FineTune(store, l -> {}).run(request(new Budget.Steps(6), work.resolve("a"), null));
        FineTuneResult resumed = new FineTune(store, l -> {}).run(request(new Budget.Steps(6), work.resolve("c"), mid));

        assertEquals(3, resumed.metrics().steps());
        Checkpoint a = Checkpoint.read(straight.checkpoint());
        Checkpoint c = Checkpoint.read(resumed.checkpoint());
        assertEquals(
                a.state().normStatistics().mean(), c.state().normStatistics().mean(), 1e-4);
        float[] wa = a.tensors().get("body.0.res_layer.1.weight").values();
        float[] wc = c.tensors().get("body.0.res_layer.1.weight").values();
        double maxDiff = 0;
        for (int i = 0; i < wa.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(wa[i] - wc[i]));
        }
        assertTrue(maxDiff < 1e-4, "resumed weights differ from the uninterrupted run by " + maxDiff);
        // the prototype centres of step 0 travelled through the checkpoint, not recomputed from the step-3 backbone
        float[] ca = a.tensors().get(Checkpoint.CENTRES).values();
        float[] cc = c.tensors().get(Checkpoint.CENTRES).values();
        double centreDiff = 0;
        for (int i = 0; i < ca.length; i++) {
            centreDiff = Math.max(centreDiff, Math.abs(ca[i] - cc[i]));
        }
        assertTrue(centreDiff < 1e-4, "resumed class centres differ from the uninterrupted run by " + centreDiff);
    }

    @Test
    void aZeroBackboneLearningRateScaleMovesOnlyTheHead() {
        Hyperparameters hyper = Hyperparameters.defaults()
                .withBatch(16)
                .withLearningRate(0.02)
                .withSeed(11)
                .withLoaderThreads(1)
                .withBackboneLrScale(0);
        try (FaceDataset ds = FaceDataset.open(data);
                TrainingSession session = new TrainingSession(
                        BaseModel.resolve(store, "ir-tiny@0", 11),
                        ds,
                        HeadKind.ARCFACE,
                        new Budget.Steps(2),
                        hyper,
                        Augmentation.NONE,
                        "cpu",
                        null)) {
            float[] backbone = session.block()
                    .state()
                    .get("body.0.res_layer.1.weight")
                    .getArray()
                    .toFloatArray();
            float[] centres = session.loss().centres().weight().toFloatArray();
            session.step();
            session.step();
            assertArrayEquals(
                    backbone,
                    session.block()
                            .state()
                            .get("body.0.res_layer.1.weight")
                            .getArray()
                            .toFloatArray());
            assertFalse(
                    java.util.Arrays.equals(
                            centres, session.loss().centres().weight().toFloatArray()),
                    "the head trains");
        }
    }
}
