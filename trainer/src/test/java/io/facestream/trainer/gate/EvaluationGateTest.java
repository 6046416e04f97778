package io.facestream.trainer.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamPaths;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.convert.onnx.Onnx.TensorProto;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.trainer.graph.OnnxExport;
import io.facestream.trainer.graph.OnnxTensors;
import io.facestream.trainer.testing.SyntheticFaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate with the real MobileFaceNet on held-out generated identities: an identical candidate (same weights,
 * new version) passes, a candidate with randomly perturbed weights is refused with the metrics that fell.
 */
class EvaluationGateTest {
    @TempDir
    static Path dir;

    static ModelStore store;
    static ModelStore.InstalledModel current;
    static HeldOutFaces faces;

    @BeforeAll
    static void prepare() {
        Path cache = FacestreamPaths.fromEnvironment().cache("models");
        Assumptions.assumeTrue(
                Files.isDirectory(cache.resolve("mobilefacenet")), "mobilefacenet not installed in " + cache);
        // the zoo's version, not the cache's newest (which may be a candidate of an earlier `train`)
        ModelStore.InstalledModel zoo =
                io.facestream.embed.model.zoo.ModelZoo.ensure(new ModelStore(cache), "mobilefacenet");
        store = new ModelStore(dir.resolve("models"));
        current = store.install(zoo.manifest(), Map.of("main", zoo.path("main")));
        faces = new HeldOutFaces(SyntheticFaces.folder(dir.resolve("held-out"), 12, 4));
    }

    private static EvaluationGate gate(List<String> log) {
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);
        return new EvaluationGate(
                faces, null, GatePolicy.defaults().withMargin(0.02), m -> new FaceEmbedder(m, sessions, 16), log::add);
    }

    @Test
    void identicalCandidatePasses() {
        ModelStore.InstalledModel same = variant("same", 0);
        List<String> log = new ArrayList<>();
        GateVerdict v = gate(log).judge(current, same);
        log.forEach(System.out::println);

        assertTrue(v.accepted(), v.summary());
        for (GateVerdict.Comparison c : v.comparisons()) {
            assertEquals(c.current(), c.candidate(), 1e-9, c.metric());
        }
        assertTrue(
                v.current().verification().accuracy() > 0.7,
                "MobileFaceNet should separate the held-out identities: "
                        + v.current().verification());
    }

    @Test
    void perturbedCandidateIsRefused() {
        ModelStore.InstalledModel worse = variant("perturbed", 1.0);
        List<String> log = new ArrayList<>();
        GateVerdict v = gate(log).judge(current, worse);
        log.forEach(System.out::println);

        assertFalse(v.accepted(), v.summary());
        assertTrue(
                v.summary()
                        .startsWith("refused mobilefacenet@" + worse.manifest().version()),
                v.summary());
        assertTrue(
                v.candidate().verification().accuracy()
                        < v.current().verification().accuracy() - 0.02,
                v.summary());
    }

    @Test
    void candidateWithANonFiniteWeightIsNeitherScoredNorReleased() {
        ModelProto proto = OnnxExport.read(current.path("main"));
        ModelProto.Builder b = proto.toBuilder();
        int index = -1;
        for (int i = 0; i < b.getGraph().getInitializerCount() && index < 0; i++) {
            if (OnnxTensors.isFloat(b.getGraph().getInitializer(i))
                    && b.getGraph().getInitializer(i).getDimsCount() >= 2) {
                index = i;
            }
        }
        TensorProto t = b.getGraph().getInitializer(index);
        float[] w = OnnxTensors.floats(t);
        w[w.length / 2] = Float.NaN;
        b.getGraphBuilder().setInitializer(index, OnnxTensors.withValues(t, w));
        ModelStore.InstalledModel poisoned = install("nan", b.build());

        List<String> log = new ArrayList<>();
        NonFiniteModelException e =
                assertThrows(NonFiniteModelException.class, () -> gate(log).judge(current, poisoned));
        assertTrue(
                e.getMessage().contains("'" + t.getName() + "'")
                        && e.getMessage().contains(poisoned.manifest().id()),
                e.getMessage());
        assertTrue(log.stream().noneMatch(l -> l.contains("scored")), "nothing was scored: " + log);

        // and the publisher refuses it even with an accepting verdict in hand (it checks before it connects)
        GateVerdict accepted = gate(new ArrayList<>()).judge(current, variant("same-for-publish", 0));
        assertTrue(accepted.accepted(), accepted.summary());
        assertThrows(
                NonFiniteModelException.class,
                () -> new io.facestream.trainer.release.ModelPublisher("127.0.0.1:9").publish(poisoned, accepted));
    }

    /** The current weights plus Gaussian noise of {@code noise} × each tensor's own standard deviation. */
    private static ModelStore.InstalledModel variant(String tag, double noise) {
        ModelProto proto = OnnxExport.read(current.path("main"));
        Random random = new Random(3);
        ModelProto.Builder b = proto.toBuilder();
        for (int i = 0; i < b.getGraph().getInitializerCount(); i++) {
            TensorProto t = b.getGraph().getInitializer(i);
            if (noise == 0 || !OnnxTensors.isFloat(t) || t.getDimsCount() < 2) {
                continue;
            }
            float[] w = OnnxTensors.floats(t);
            double mean = 0, sq = 0;
            for (float x : w) {
                mean += x;
                sq += x * x;
            }
            mean /= w.length;
            double std = Math.sqrt(Math.max(0, sq / w.length - mean * mean));
            for (int k = 0; k < w.length; k++) {
                w[k] += (float) (noise * std * random.nextGaussian());
            }
            b.getGraphBuilder().setInitializer(i, OnnxTensors.withValues(t, w));
        }
        return install(tag, b.build());
    }

    private static ModelStore.InstalledModel install(String tag, ModelProto graph) {
        ModelManifest m = current.manifest();
        Path onnx = dir.resolve(tag + ".onnx");
        OnnxExport.write(graph, onnx);
        ModelManifest.ModelFile f = m.files().get(0);
        ModelManifest v = new ModelManifest(
                m.name(),
                m.version() + "-" + tag,
                m.kind(),
                List.of(new ModelManifest.ModelFile(f.role(), f.file(), null, f.inputs(), f.outputs())),
                m.input(),
                m.embedding(),
                m.source(),
                m.licence(),
                "gate test: " + tag);
        return store.install(v, Map.of("main", onnx));
    }
}
