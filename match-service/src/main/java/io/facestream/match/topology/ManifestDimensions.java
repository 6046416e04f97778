package io.facestream.match.topology;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.gallery.model.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feature lengths from the manifests of the local model store ({@code <store>/<name>/<version>/manifest.json},
 * {@code embedding.size}); a model whose manifest has no embedding section (a detector) produces no features. Only the
 * manifest is read (no hashing of the model files), and the answer is remembered: for good when the version is
 * installed, for {@link #RECHECK_MS} when it is not (a release may install it later).
 */
public final class ManifestDimensions implements ModelDimensions {
    static final long RECHECK_MS = 10_000;

    private final Path root;
    private final Map<ModelVersion, Answer> answers = new ConcurrentHashMap<>();

    private record Answer(Optional<Known> known, long atMs) {}

    public ManifestDimensions(ModelStore store) {
        this.root = store.root();
    }

    @Override
    public Optional<Known> of(ModelVersion model) {
        long now = System.currentTimeMillis();
        Answer a = answers.get(model);
        if (a == null || (a.known().isEmpty() && now - a.atMs() >= RECHECK_MS)) {
            a = new Answer(read(model), now);
            answers.put(model, a);
        }
        return a.known();
    }

    private Optional<Known> read(ModelVersion model) {
        // name and version were checked by ModelVersion: no separators, no leading dot
        Path file = root.resolve(model.name()).resolve(model.version()).resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ModelManifest m = ModelStore.readManifest(file);
            return Optional.of(
                    m.embedding() == null
                            ? new Known(
                                    0,
                                    "model manifest: a " + m.kind().name().toLowerCase(java.util.Locale.ROOT)
                                            + ", not an embedder")
                            : new Known(m.embedding().size(), "model manifest"));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
