package io.facestream.ops.cli;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.logging.LogFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every service command shares ({@code @Mixin ConfigOptions config}): the YAML file and {@code --set} overrides.
 * Commands add their own flags on top with {@link #load(Map)}, which is the one place a config is built.
 */
public final class ConfigOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration file (default: $FACESTREAM_CONFIG or ~/.facestream/facestream.yaml)")
    Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override any configuration key, e.g. --set kafka.port=19092")
    List<String> overrides = new ArrayList<>();

    /**
     * Builds the config: defaults, file, environment, --set, then the command's own flags (null flags are ignored);
     * and puts its {@code logging.format} into effect, so everything the command logs from here on has that format.
     */
    public FacestreamConfig load(Map<String, Object> commandFlags) {
        FacestreamConfig.Builder b = FacestreamConfig.builder().file(file);
        overrides.forEach(b::flag);
        commandFlags.forEach(b::flag);
        FacestreamConfig config = b.build();
        LogFormat.apply(config);
        return config;
    }

    public FacestreamConfig load() {
        return load(Map.of());
    }

    /**
     * Same, with the command's flags as key/value pairs; a null value is a flag the user did not give:
     * {@code options.load("kafka.bootstrap", bootstrap, "face.embedder", model)}.
     */
    public FacestreamConfig load(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("flags come in key/value pairs");
        }
        Map<String, Object> flags = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                flags.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return load(flags);
    }
}
