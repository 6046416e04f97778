package io.facestream.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The two folders facestream reads outside its configuration's own keys, resolved by one rule everywhere.
 *
 * <p>{@code paths.cache} holds what is downloaded or derived once and reused (npm packages, sample photographs, the
 * PyTorch native library, benchmark videos). {@code paths.shared} optionally names a private photo folder with extra
 * donor faces; empty means none. Each is an ordinary configuration key (defaults, file, environment
 * {@code FACESTREAM_PATHS_CACHE}, flags {@code --set paths.cache=DIR}). The JVM system properties
 * {@code facestream.cache} (which the test build sets) and {@code facestream.shared} replace only the built-in
 * default: a value from a file, the environment or a flag wins over them. Before this class, commands each had their
 * own order between system property and environment, so the same machine could use two caches.
 */
public record FacestreamPaths(Path cache, Path shared) {
    public static final String CACHE_KEY = "paths.cache";
    public static final String SHARED_KEY = "paths.shared";
    static final String CACHE_PROPERTY = "facestream.cache";
    static final String SHARED_PROPERTY = "facestream.shared";

    /** The paths of a loaded configuration. */
    public static FacestreamPaths of(FacestreamConfig config) {
        return of(config, System::getProperty);
    }

    static FacestreamPaths of(FacestreamConfig config, UnaryOperator<String> systemProperties) {
        Path cache = resolve(config, CACHE_KEY, systemProperties.apply(CACHE_PROPERTY));
        if (cache == null) {
            throw new ConfigException("config " + CACHE_KEY + " is empty (from " + config.sourceOf(CACHE_KEY)
                    + "): set it to a writable folder, e.g. ~/.facestream");
        }
        return new FacestreamPaths(cache, resolve(config, SHARED_KEY, systemProperties.apply(SHARED_PROPERTY)));
    }

    /**
     * The paths for code that runs without a command's configuration (model and photo caches reached from library
     * code): the same layers a command without flags sees, i.e. defaults, {@code ~/.facestream/facestream.yaml} or
     * {@code $FACESTREAM_CONFIG}, and the environment.
     */
    public static FacestreamPaths fromEnvironment() {
        return of(FacestreamConfig.builder().build());
    }

    /** A folder below the cache, e.g. {@code cache("npm")}. */
    public Path cache(String name) {
        return cache.resolve(name);
    }

    /** The shared photo folder when configured and present, else null. */
    public Path sharedOrNull() {
        return shared != null && Files.isDirectory(shared) ? shared : null;
    }

    private static Path resolve(FacestreamConfig config, String key, String fromProperty) {
        if (config.sourceOf(key).equals(FacestreamConfig.DEFAULT_SOURCE) && fromProperty != null) {
            return fromProperty.isBlank() ? null : expandHome(fromProperty);
        }
        String value = config.getString(key);
        return value.isBlank() ? null : config.getPath(key);
    }

    private static Path expandHome(String s) {
        if (s.equals("~") || s.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + s.substring(1));
        }
        return Path.of(s);
    }
}
