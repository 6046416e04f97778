package io.facestream.ops.models;

import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The store a models command works on: {@code --dir}, else config {@code models.dir} (default ~/.facestream/models). */
public final class StoreOptions {
    @Mixin
    ConfigOptions config;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Model store directory (default: config models.dir, ~/.facestream/models)")
    Path dir;

    /** Runs a models command body; a model problem is the user's to fix, so it is one clear line, not a stack trace. */
    static void userErrors(Runnable body) {
        try {
            body.run();
        } catch (io.facestream.embed.model.ModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The configuration with {@code --dir} and one more flag of the command (null = not given). */
    io.facestream.core.config.FacestreamConfig config(String key, Object value) {
        return config.load(ModelZoo.MODELS_DIR_KEY, dir == null ? null : dir.toString(), key, value);
    }

    ModelStore store() {
        return ModelZoo.store(config.load(dir == null ? Map.of() : Map.of(ModelZoo.MODELS_DIR_KEY, dir.toString())));
    }
}
