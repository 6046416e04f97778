package io.facestream.core.topics;

import java.util.Map;
import java.util.TreeMap;

/**
 * One topic's settings as facestream expects them.
 *
 * @param name       topic name
 * @param partitions partition count (the unit of scale-out for the consuming service)
 * @param configs    topic-level configs: cleanup.policy, retention.ms, max.message.bytes, ...
 * @param purpose    one line for {@code facestream topics}
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs, String purpose) {
    public TopicSpec {
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
        }
        configs = Map.copyOf(new TreeMap<>(configs));
    }

    public TopicSpec withPartitions(int n) {
        return new TopicSpec(name, n, configs, purpose);
    }

    public boolean compacted() {
        return "compact".equals(configs.get("cleanup.policy"));
    }
}
