package io.facestream.core.kafka;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group is behind on one topic: per partition, the end offset minus the group's committed offset
 * (the whole partition when it has committed nothing there). With {@link IsolationLevel#READ_COMMITTED} the end is
 * the last stable offset, so records of open transactions, which no read_committed consumer can read yet, do not
 * count; a partition a group has read to the end can still show 1 there, the marker that closed its last
 * transaction.
 */
public final class GroupLag {
    private GroupLag() {}

    public static Map<TopicPartition, Long> of(Admin admin, String group, String topic, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> lag = new LinkedHashMap<>();
        for (var e : admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                .all()
                .get()
                .entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag.put(e.getKey(), Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset())));
        }
        return lag;
    }
}
