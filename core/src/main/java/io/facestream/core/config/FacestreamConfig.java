package io.facestream.core.config;

import com.fasterxml.jackson.core.type.TypeReference;
import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one configuration of a facestream process, flattened to dotted keys ({@code kafka.bootstrap}).
 *
 * <p>Layers, later wins: every module's {@code META-INF/facestream/defaults.yaml} on the classpath; one YAML file
 * ({@code --config FILE}, else {@code $FACESTREAM_CONFIG}, else {@code ~/.facestream/facestream.yaml} when present);
 * environment variables ({@code FACESTREAM_KAFKA_BOOTSTRAP} for {@code kafka.bootstrap}: upper case, dots and dashes
 * become underscores); command-line flags. A key that no module declares is an error naming the key and its source,
 * so a typo never passes silently. A default of {@code {}} declares a free-form section (e.g. camera lists); a
 * {@code "*": {}} inside a section opens it beside its declared keys (e.g. Kafka topic configs under
 * {@code topics.<name>}, which {@code TopicCatalog} checks against Kafka's own definitions).
 *
 * <p>Every numeric key (a number, a duration or a list of numbers) has a range declared next to its default, in the
 * module's {@code META-INF/facestream/ranges.yaml} (same layout, e.g. {@code match: {default-threshold: "number (0, 1]"}},
 * see {@link ConfigRange}). Each layer's value is checked at load: a value that is not finite or out of its range is
 * an error naming the key, the value, its layer and the allowed range.
 */
public final class FacestreamConfig {
    public static final String DEFAULTS_RESOURCE = "META-INF/facestream/defaults.yaml";
    public static final String RANGES_RESOURCE = "META-INF/facestream/ranges.yaml";
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

    private final Map<String, Object> values;
    private final Map<String, String> sources;
    private final List<String> freeFormSections;
    private final Map<String, ConfigRange> ranges;
    private final Map<String, Object> defaults;

    private FacestreamConfig(
            Map<String, Object> values,
            Map<String, String> sources,
            List<String> freeForm,
            Map<String, ConfigRange> ranges,
            Map<String, Object> defaults) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.freeFormSections = List.copyOf(freeForm);
        this.ranges = Collections.unmodifiableMap(ranges);
        this.defaults = Collections.unmodifiableMap(defaults);
    }

    /** Defaults only: what a test or an embedded run gets with no file, env or flags. */
    public static FacestreamConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with more flag-level overrides, e.g. a test pointing at its broker. */
    public FacestreamConfig with(Map<String, ?> overrides) {
        Builder b = new Builder();
        b.values.putAll(values);
        b.sources.putAll(sources);
        b.freeForm.addAll(freeFormSections);
        b.ranges.putAll(ranges);
        b.defaults.putAll(defaults);
        overrides.forEach((k, v) -> b.put(k, v, "override"));
        return b.validated();
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public String getString(String key) {
        Object v = require(key);
        return v.toString();
    }

    public String getString(String key, String fallback) {
        Object v = values.get(key);
        return v == null ? fallback : v.toString();
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) {
            throw bad(key, require(key), "an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        Object v = require(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    public double getDouble(String key) {
        Object v = require(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    public boolean getBoolean(String key) {
        Object v = require(key);
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(key, v, "true or false");
        };
    }

    /** Durations are written {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 ({@code PT1H}). */
    public Duration getDuration(String key) {
        Object v = require(key);
        try {
            return parseDuration(v.toString());
        } catch (IllegalArgumentException e) {
            throw bad(key, v, "a duration like 500ms, 10s, 5m, 24h, 7d");
        }
    }

    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            long unitMs = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            return Duration.ofMillis(Math.round(n * unitMs));
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
    }

    /** A path; a leading {@code ~} is the user's home. */
    public Path getPath(String key) {
        String s = getString(key);
        if (s.equals("~") || s.startsWith("~/")) {
            s = System.getProperty("user.home") + s.substring(1);
        }
        return Path.of(s);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) {
        Object v = require(key);
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        String s = v.toString().trim();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s*,\\s*"));
    }

    /** All keys below a prefix (without the prefix), e.g. {@code section("api.keys")}. */
    public Map<String, Object> section(String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        Map<String, Object> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(p) && v != null) {
                out.put(k.substring(p.length()), v);
            }
        });
        return out;
    }

    /** The {@link #sourceOf} of a value nobody set: the built-in defaults. */
    public static final String DEFAULT_SOURCE = "defaults";

    /** Where a key's value came from: "defaults", a file path, "env FACESTREAM_...", "flag" or "override". */
    public String sourceOf(String key) {
        return sources.getOrDefault(key, "unset");
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** The declared range of a key, if it has one (every numeric key does). */
    public java.util.Optional<ConfigRange> rangeOf(String key) {
        return java.util.Optional.ofNullable(ranges.get(key));
    }

    /** Every declared range, by key. */
    public Map<String, ConfigRange> ranges() {
        return ranges;
    }

    /** The built-in defaults, by key (before any file, environment or flag). */
    public Map<String, Object> defaultValues() {
        return defaults;
    }

    /**
     * Keys whose default is numeric ({@link ConfigRange#isNumeric}) but that have no declared range: empty when every
     * module declared its ranges (a test keeps it so).
     */
    public List<String> numericKeysWithoutRange() {
        return defaults.entrySet().stream()
                .filter(e -> ConfigRange.isNumeric(e.getValue()) && !ranges.containsKey(e.getKey()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private Object require(String key) {
        Object v = values.get(key);
        if (v == null) {
            if (!values.containsKey(key)) {
                throw new ConfigException("config key '" + key + "' is not declared by any module");
            }
            throw new ConfigException("config key '" + key + "' has no value (set it in the YAML file, as env "
                    + envName(key) + " or with a flag)");
        }
        return v;
    }

    private ConfigException bad(String key, Object v, String expected) {
        return new ConfigException("config " + key + " = '" + v + "' (from " + sourceOf(key) + ") is not " + expected);
    }

    public static String envName(String key) {
        return "FACESTREAM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Collects layers in order; {@link #build()} validates every key against the declared defaults. */
    public static final class Builder {
        private final Map<String, Object> values = new TreeMap<>();
        private final Map<String, String> sources = new TreeMap<>();
        private final List<String> freeForm = new ArrayList<>();
        private final Map<String, ConfigRange> ranges = new TreeMap<>();
        private final Map<String, Object> defaults = new TreeMap<>();
        private final Map<String, Object> file = new LinkedHashMap<>();
        private final Map<String, Object> flags = new LinkedHashMap<>();
        private Map<String, String> env = System.getenv();
        private Path filePath;
        private boolean defaultFileLookup = true;

        private Builder() {
            loadDefaults();
            loadRanges();
        }

        /** Reads one YAML file (an explicit {@code --config}); a missing file is an error. */
        public Builder file(Path path) {
            if (path == null) {
                return this;
            }
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("config file " + path + " does not exist or is not a file");
            }
            this.filePath = path;
            this.defaultFileLookup = false;
            return this;
        }

        /** No implicit {@code ~/.facestream/facestream.yaml} and no environment: for tests. */
        public Builder isolated() {
            this.defaultFileLookup = false;
            this.env = Map.of();
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /** A command-line override ({@code --set key=value} or a command's own flag). */
        public Builder flag(String key, Object value) {
            if (value != null) {
                flags.put(key, value);
            }
            return this;
        }

        /** Parses {@code key=value}, as given to {@code --set}. */
        public Builder flag(String assignment) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value, got '" + assignment + "'");
            }
            return flag(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
        }

        public FacestreamConfig build() {
            Path path = filePath;
            if (path == null && defaultFileLookup) {
                String fromEnv = env.get("FACESTREAM_CONFIG");
                if (fromEnv != null && !fromEnv.isBlank()) {
                    path = Path.of(fromEnv);
                    if (!Files.isRegularFile(path)) {
                        throw new ConfigException("FACESTREAM_CONFIG=" + fromEnv + " does not name a file");
                    }
                } else {
                    Path home = Path.of(System.getProperty("user.home"), ".facestream", "facestream.yaml");
                    path = Files.isRegularFile(home) ? home : null;
                }
            }
            if (path != null) {
                Map<String, Object> flat = new LinkedHashMap<>();
                flatten("", readYaml(path), flat, null);
                String source = path.toString();
                flat.forEach((k, v) -> put(k, v, source));
            }
            for (String key : new ArrayList<>(values.keySet())) {
                String v = env.get(envName(key));
                if (v != null) {
                    put(key, v, "env " + envName(key));
                }
            }
            flags.forEach((k, v) -> put(k, v, "flag"));
            return validated();
        }

        private FacestreamConfig validated() {
            ranges.forEach((key, range) -> {
                Object v = values.get(key);
                if (v != null) {
                    range.check(key, v, sources.getOrDefault(key, "unset"));
                }
            });
            return new FacestreamConfig(new TreeMap<>(values), new TreeMap<>(sources), freeForm, ranges, defaults);
        }

        void put(String key, Object value, String source) {
            if (!values.containsKey(key) && freeForm.stream().noneMatch(p -> key.startsWith(p + "."))) {
                throw new ConfigException("unknown config key '" + key + "' (from " + source + "); known keys: "
                        + String.join(", ", values.keySet()));
            }
            values.put(key, value);
            sources.put(key, source);
        }

        private void loadDefaults() {
            try {
                for (URL url : resources(DEFAULTS_RESOURCE)) {
                    Map<String, Object> tree;
                    try (InputStream in = url.openStream()) {
                        tree = Json.yaml().readValue(in, new TypeReference<>() {});
                    }
                    Map<String, Object> flat = new LinkedHashMap<>();
                    flatten("", tree == null ? Map.of() : tree, flat, freeForm);
                    flat.forEach((k, v) -> {
                        values.put(k, v);
                        sources.put(k, DEFAULT_SOURCE);
                        defaults.put(k, v);
                    });
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read the built-in defaults: " + e.getMessage(), e);
            }
        }

        /** Each module's ranges.yaml: the same layout as its defaults, a {@link ConfigRange} declaration per key. */
        private void loadRanges() {
            try {
                for (URL url : resources(RANGES_RESOURCE)) {
                    Map<String, Object> tree;
                    try (InputStream in = url.openStream()) {
                        tree = Json.yaml().readValue(in, new TypeReference<>() {});
                    }
                    Map<String, Object> flat = new LinkedHashMap<>();
                    flatten("", tree == null ? Map.of() : tree, flat, null);
                    flat.forEach((k, v) -> {
                        if (!values.containsKey(k)) {
                            throw new ConfigException(url + " declares a range for '" + k + "', which no module's "
                                    + DEFAULTS_RESOURCE + " declares: remove it or add the key's default");
                        }
                        ranges.put(k, ConfigRange.parse(v == null ? null : v.toString(), url + " (key " + k + ")"));
                    });
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read the built-in ranges: " + e.getMessage(), e);
            }
        }

        private static List<URL> resources(String name) throws IOException {
            List<URL> all = Collections.list(
                    Thread.currentThread().getContextClassLoader().getResources(name));
            if (all.isEmpty()) {
                all = Collections.list(FacestreamConfig.class.getClassLoader().getResources(name));
            }
            return all;
        }

        private static Map<String, Object> readYaml(Path path) {
            try (InputStream in = Files.newInputStream(path)) {
                Map<String, Object> tree = Json.yaml().readValue(in, new TypeReference<>() {});
                return tree == null ? Map.of() : tree;
            } catch (IOException e) {
                throw new ConfigException("config file " + path + " is not valid YAML: " + e.getMessage(), e);
            }
        }

        @SuppressWarnings("unchecked")
        private static void flatten(
                String prefix, Map<String, Object> tree, Map<String, Object> out, List<String> freeFormSink) {
            tree.forEach((k, v) -> {
                String key = prefix.isEmpty() ? k : prefix + "." + k;
                if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                    flatten(key, (Map<String, Object>) m, out, freeFormSink);
                } else if (v instanceof Map<?, ?>) {
                    // an empty map in the defaults declares a free-form section; "*": {} opens the section it sits in
                    // to more keys beside its declared ones (whoever reads the section validates them)
                    if (freeFormSink != null) {
                        freeFormSink.add(k.equals("*") ? prefix : key);
                    }
                } else {
                    out.put(key, v);
                }
            });
        }
    }
}
