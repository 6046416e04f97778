package io.facestream.core.testing;

import io.facestream.core.kafka.KafkaClients;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Test helper: the shared broker holds other tests' records; a new group can be made to start after all of them. */
public final class ConsumerGroups {
    private ConsumerGroups() {}

    /** Commits the current end offsets of {@code topic} for {@code group}, which must not be running yet. */
    public static void startAtEnd(String bootstrap, String group, String topic) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot position group " + group + " at the end of " + topic, e);
        }
    }
}
