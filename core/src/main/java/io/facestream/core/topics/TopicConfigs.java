package io.facestream.core.topics;

import io.facestream.core.config.ConfigException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * Checks {@code topics.<name>.<config>} keys against Kafka's own topic config definitions ({@link LogConfig}), the
 * ones the broker applies to {@code CreateTopics} and {@code IncrementalAlterConfigs}: a misspelt name or a value
 * the broker would refuse is an error at load naming the facestream key, not a surprise at topic creation.
 */
public final class TopicConfigs {
    /** facestream's topology depends on each topic's cleanup policy (docs/architecture.md): not a setting. */
    static final Set<String> FIXED = Set.of("cleanup.policy");

    private TopicConfigs() {}

    /**
     * @param prefix  {@code topics.<short-name>}
     * @param configs Kafka topic config name to value, as set in the configuration
     * @param source  where a full key's value came from, for the message
     */
    public static void check(String prefix, Map<String, String> configs, Function<String, String> source) {
        Map<String, ConfigDef.ConfigKey> known = LogConfig.configKeys();
        Set<String> settable = new TreeSet<>(LogConfig.nonInternalConfigNames());
        configs.forEach((name, value) -> {
            String key = prefix + "." + name;
            if (FIXED.contains(name)) {
                throw new ConfigException("config key '" + key + "' (from " + source.apply(key) + ") cannot be set: "
                        + "facestream relies on the topic's " + name + "; remove the key");
            }
            ConfigDef.ConfigKey def = known.get(name);
            if (def == null || !settable.contains(name)) {
                throw new ConfigException(
                        "config key '" + key + "' (from " + source.apply(key) + ") is not a Kafka topic " + "config: '"
                                + name + "' is none of " + String.join(", ", settable));
            }
            try {
                Object parsed = ConfigDef.parseType(name, value, def.type);
                if (def.validator != null) {
                    def.validator.ensureValid(name, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException e) {
                throw new ConfigException(
                        "config " + key + " = '" + value + "' (from " + source.apply(key) + ") is not a "
                                + "valid value of Kafka's topic config " + name + " (" + e.getMessage() + "): give a "
                                + def.type.name().toLowerCase(java.util.Locale.ROOT)
                                + (def.validator == null ? "" : " in " + def.validator),
                        e);
            }
        });
    }
}
