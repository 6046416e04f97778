package io.facestream.embed.model.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models.seed}: the container image bakes the zoo models into a read-only store and points the seed at it, so
 * a service on an empty data volume copies them into its writable {@code models.dir} without npm, which the runtime
 * image does not have.
 */
@Integration
class ModelSeedTest {
    /** A fetch that must not happen: the seed holds the model. */
    private static final Function<ZooModel, PackageSource> NO_FETCH = m -> {
        throw new AssertionError("fetched " + m.name() + " although the seed holds it");
    };

    @Test
    void aMissingZooModelIsCopiedFromTheSeedWithoutFetching(@TempDir Path dir) throws Exception {
        ModelStore.InstalledModel baked = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        Path seed = seedWith(dir.resolve("seed"), baked);

        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("models.dir", dir.resolve("data").toString())
                .flag("models.seed", seed.toString())
                .build();
        ModelStore store = ModelZoo.store(config);
        assertEquals(seed, store.seed().orElseThrow().root());
        assertFalse(ModelZoo.isInstalled(store, "mobilefacenet"), "the data volume starts empty");

        ModelStore.InstalledModel copied = ModelZoo.ensure(store, "mobilefacenet", NO_FETCH);
        assertEquals(
                dir.resolve("data")
                        .resolve("mobilefacenet")
                        .resolve(baked.manifest().version()),
                copied.dir());
        assertEquals(
                Json.mapper().valueToTree(baked.manifest()),
                Json.mapper().valueToTree(copied.manifest()),
                "the seed's manifest, hashes included");
        assertEquals(ModelStore.sha256(baked.path("main")), ModelStore.sha256(copied.path("main")), "the same weights");
        // from now on the writable store holds it: the public ensure, which would fetch, loads it
        assertEquals(copied.dir(), ModelZoo.ensure(store, "mobilefacenet").dir());
        assertEquals(copied.dir(), ModelZoo.resolve(store, "mobilefacenet").dir());
    }

    @Test
    void aModelTheSeedLacksIsFetchedAsWithoutASeed(@TempDir Path dir) throws Exception {
        Path seed = seedWith(dir.resolve("seed"), ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet"));
        ModelStore store = new ModelStore(dir.resolve("data"), seed);
        IllegalStateException fetched = assertThrows(
                IllegalStateException.class,
                () -> ModelZoo.ensure(store, "blazeface-front", m -> {
                    throw new IllegalStateException("fetch " + m.name());
                }));
        assertEquals("fetch blazeface-front", fetched.getMessage());
    }

    @Test
    void aDamagedSeedCopyIsAnErrorNamingTheKey(@TempDir Path dir) throws Exception {
        ModelStore.InstalledModel baked = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        Path seed = seedWith(dir.resolve("seed"), baked);
        Path weights = seed.resolve("mobilefacenet")
                .resolve(baked.manifest().version())
                .resolve(baked.manifest().file("main").file());
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(weights, bytes);

        ModelStore store = new ModelStore(dir.resolve("data"), seed);
        ModelException e = assertThrows(ModelException.class, () -> ModelZoo.ensure(store, "mobilefacenet", NO_FETCH));
        assertTrue(
                e.getMessage().contains("config models.seed") && e.getMessage().contains("damaged"), e.getMessage());
        assertFalse(ModelZoo.isInstalled(store, "mobilefacenet"), "nothing half-copied");
    }

    @Test
    void noSeedByDefault() {
        assertTrue(ModelZoo.store(FacestreamConfig.builder().isolated().build())
                .seed()
                .isEmpty());
    }

    /** A store holding a copy of one installed model, laid out as the image bakes it. */
    private static Path seedWith(Path seed, ModelStore.InstalledModel model) throws Exception {
        Path target =
                seed.resolve(model.manifest().name()).resolve(model.manifest().version());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(model.dir())) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        assertTrue(Files.isRegularFile(target.resolve(ModelManifest.FILE_NAME)));
        return seed;
    }
}
