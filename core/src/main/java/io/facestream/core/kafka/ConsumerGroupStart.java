package io.facestream.core.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Positions a consumer group that has not started yet after every record already on a topic, so that a run (an
 * evaluation replay, a benchmark, a test on a shared broker) sees only the records it produces itself. Unlike
 * {@code auto.offset.reset=latest}, this cannot race with the run's first records.
 */
public final class ConsumerGroupStart {
    private ConsumerGroupStart() {}

    public static void atEnd(Admin admin, String group, String topic) {
        try {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while positioning group " + group, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot position group " + group + " at the end of " + topic + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
