package io.facestream.embed.model.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.core.testing.Integration;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configured model specs: zoo names, name@version, and user models installed by hand. */
@Integration
class ModelZooResolveTest {

    @Test
    void resolvesZooNamesVersionsAndUserModels(@TempDir Path dir) {
        ModelStore cache = ModelZoo.defaultStore();
        assumeTrue(
                ModelZoo.isInstalled(cache, "mobilefacenet") || NpmCache.npmAvailable(), "no npm and no cached model");
        ModelStore.InstalledModel zoo = ModelZoo.ensure(cache, "mobilefacenet");
        String version = zoo.manifest().version();

        assertEquals(zoo.dir(), ModelZoo.resolve(cache, "mobilefacenet").dir());
        assertEquals(
                zoo.dir(), ModelZoo.resolve(cache, "mobilefacenet@" + version).dir());
        assertEquals("mobilefacenet", ModelZoo.nameOf("mobilefacenet@" + version));

        // a user model: installed under its own name, found without the zoo knowing it
        ModelStore store = new ModelStore(dir);
        ModelManifest m = zoo.manifest();
        store.install(
                new ModelManifest(
                        "my-embedder",
                        "3",
                        m.kind(),
                        m.files(),
                        m.input(),
                        m.embedding(),
                        m.source(),
                        m.licence(),
                        m.notes()),
                Map.of("main", zoo.path("main")));
        assertEquals(
                "my-embedder@3",
                ModelZoo.resolve(store, "my-embedder").manifest().id());
        assertEquals(
                "my-embedder@3",
                ModelZoo.resolve(store, "my-embedder@3").manifest().id());

        ModelException missing = assertThrows(ModelException.class, () -> ModelZoo.resolve(store, "my-embedder@4"));
        assertTrue(missing.getMessage().contains("my-embedder@4"), missing.getMessage());
        assertThrows(ModelException.class, () -> ModelZoo.resolve(store, "nobody"));
    }
}
