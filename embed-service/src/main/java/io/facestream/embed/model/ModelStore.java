package io.facestream.embed.model;

import io.facestream.core.files.FileTrees;
import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Versioned models on disk: {@code <root>/<name>/<version>/manifest.json} plus the ONNX files it names.
 * Loading checks every file's sha256 against the manifest, so a corrupted or swapped file never runs.
 */
public final class ModelStore {
    private final Path root;
    private final Path seed;

    public ModelStore(Path root) {
        this(root, null);
    }

    /**
     * A store with a seed: a read-only store (the models baked into a container image) that zoo models missing here
     * are copied from before anyone reaches for npm ({@code models.seed}, {@link
     * io.facestream.embed.model.zoo.ModelZoo#ensure}). The store itself stays the one place models are loaded from and
     * releases are installed into, so it must be writable; the seed is only read.
     */
    public ModelStore(Path root, Path seed) {
        this.root = root;
        this.seed = seed;
    }

    public Path root() {
        return root;
    }

    /** The seed store, if one is configured. */
    public Optional<ModelStore> seed() {
        return seed == null ? Optional.empty() : Optional.of(new ModelStore(seed));
    }

    /** A model ready to run: its manifest and verified file paths. */
    public record InstalledModel(ModelManifest manifest, Path dir) {
        public Path path(String role) {
            return dir.resolve(manifest.file(role).file());
        }
    }

    /** Every installed model, by name then version. */
    public List<ModelManifest> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<ModelManifest> out = new ArrayList<>();
        try (Stream<Path> manifests =
                Files.find(root, 3, (p, a) -> p.getFileName().toString().equals(ModelManifest.FILE_NAME))) {
            for (Path m : manifests.sorted().toList()) {
                out.add(readManifest(m));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model store " + root, e);
        }
        return out;
    }

    /** The newest installed version of a model (versions compare numerically where they are numbers). */
    public InstalledModel load(String name) {
        ReleaseValidator.checkName(name);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new ModelException("model '" + name + "' is not installed in " + root + " (installed: "
                    + list().stream().map(ModelManifest::id).toList() + "; run ./facestream models pull)");
        }
        try (Stream<Path> versions = Files.list(dir)) {
            Path newest = versions.filter(p -> Files.isRegularFile(p.resolve(ModelManifest.FILE_NAME)))
                    .max(Comparator.comparing(p -> p.getFileName().toString(), ModelStore::compareVersions))
                    .orElseThrow(() -> new ModelException("model '" + name + "' has no installed version in " + dir));
            return load(name, newest.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InstalledModel load(String name, String version) {
        Path dir = dirOf(name, version);
        Path manifestPath = dir.resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestPath)) {
            throw new ModelException("model " + name + "@" + version + " is not installed (no " + manifestPath + ")");
        }
        ModelManifest manifest = readManifest(manifestPath);
        if (!manifest.name().equals(name) || !manifest.version().equals(version)) {
            throw new ModelException(manifestPath + " describes " + manifest.id() + ", not " + name + "@" + version
                    + " (moved by hand? reinstall it)");
        }
        for (ModelManifest.ModelFile f : manifest.files()) {
            Path file = fileOf(dir, manifest, f);
            if (!Files.isRegularFile(file)) {
                throw new ModelException("model " + manifest.id() + ": file " + file + " is missing");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(f.sha256())) {
                throw new ModelException("model " + manifest.id() + ": " + file + " has sha256 " + actual
                        + " but the manifest says " + f.sha256() + " (corrupted or replaced; reinstall it)");
            }
        }
        return new InstalledModel(manifest, dir);
    }

    /**
     * Installs a model: copies the files (keyed by role) into {@code <name>/<version>/}, fills in their sha256 and
     * writes the manifest last, so a half-installed model is never visible.
     */
    public InstalledModel install(ModelManifest manifest, Map<String, Path> filesByRole) {
        Path dir = dirOf(manifest.name(), manifest.version());
        for (ModelManifest.ModelFile f : manifest.files()) {
            fileOf(dir, manifest, f);
        }
        Path tmp = root.resolve(".install-" + manifest.name() + "-" + manifest.version() + "-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            List<ModelManifest.ModelFile> files = new ArrayList<>();
            for (ModelManifest.ModelFile f : manifest.files()) {
                Path src = filesByRole.get(f.role());
                if (src == null) {
                    throw new ModelException("install " + manifest.id() + ": no file given for role " + f.role());
                }
                Files.copy(src, tmp.resolve(f.file()), StandardCopyOption.REPLACE_EXISTING);
                files.add(f.withSha256(sha256(src)));
            }
            ModelManifest complete = new ModelManifest(
                    manifest.name(),
                    manifest.version(),
                    manifest.kind(),
                    files,
                    manifest.input(),
                    manifest.embedding(),
                    manifest.source(),
                    manifest.licence(),
                    manifest.notes());
            Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(tmp.resolve(ModelManifest.FILE_NAME).toFile(), complete);
            if (Files.exists(dir)) {
                FileTrees.delete(dir);
            }
            Files.createDirectories(dir.getParent());
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return load(manifest.name(), manifest.version());
        } catch (IOException e) {
            FileTrees.delete(tmp);
            throw new UncheckedIOException("cannot install model " + manifest.id() + " into " + dir, e);
        }
    }

    /**
     * {@code <root>/<name>/<version>}: name and version are checked to be one safe path segment each, and the
     * result to lie inside the store, so a manifest or release from elsewhere never reads or writes outside it.
     */
    private Path dirOf(String name, String version) {
        ReleaseValidator.checkName(name);
        ReleaseValidator.checkVersion(version);
        return ReleaseValidator.inside(root, name, version);
    }

    /** A file of a model: one plain file name inside its directory. */
    private static Path fileOf(Path dir, ModelManifest manifest, ModelManifest.ModelFile f) {
        ReleaseValidator.checkFileName(manifest.id(), f.file());
        return ReleaseValidator.inside(dir, f.file());
    }

    public static ModelManifest readManifest(Path path) {
        try {
            return Json.mapper().readValue(path.toFile(), ModelManifest.class);
        } catch (IOException e) {
            throw new ModelException("model manifest " + path + " is unreadable: " + e.getMessage(), e);
        }
    }

    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The order of {@link ReleaseValidator#compareVersions}, so "newest installed" and "downgrade" agree. */
    public static int compareVersions(String a, String b) {
        return ReleaseValidator.compareVersions(a, b);
    }
}
