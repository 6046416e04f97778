package io.facestream.match.rollout;

import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which match instance re-embeds the galleries for a release: every instance serving a model joins one consumer
 * group on {@code facestream.models}, whose single partition the broker gives to exactly one member at a time. That
 * member writes the re-embedded vectors; the others wait for them to reach their own replica. When it leaves
 * (a clean shutdown at once, a crash after the 6 s session timeout) the partition, and the work, move on. The
 * group commits nothing: it is used for its membership only, the releases themselves are read by
 * {@link ReleaseFollower}.
 */
public final class ReembedLeadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReembedLeadership.class);
    private static final TopicPartition LEAD = new TopicPartition(TopicCatalog.MODELS, 0);

    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private final TopicFollower member;
    private volatile boolean joined;

    private ReembedLeadership(KafkaConnection kafka, String modelName) {
        String group = "facestream-match-reembed." + modelName;
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                owned.removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                owned.addAll(partitions);
                joined = true;
                if (partitions.contains(LEAD)) {
                    LOG.info("this match instance re-embeds galleries for releases (group {})", group);
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                owned.removeAll(partitions);
            }
        };
        // A crashed leader must hand over quickly: the broker's minimum session (6 s), beating every second.
        this.member = TopicFollower.inGroup(
                kafka,
                TopicCatalog.MODELS,
                group,
                Map.of(
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
                        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 60_000),
                listener,
                "reembed-leadership",
                Duration.ofMillis(500),
                records -> {}); // membership only: the records are the follower's business
    }

    /** Joins the re-embedding group of {@code modelName}; {@link #leads()} turns true once this instance is chosen. */
    public static ReembedLeadership join(KafkaConnection kafka, String modelName) {
        return new ReembedLeadership(kafka, modelName);
    }

    /** Whether this instance writes re-embedded vectors now (never once its group member has stopped). */
    public boolean leads() {
        return member.isAlive() && owned.contains(LEAD);
    }

    /** Whether the group has given this instance its share at least once (possibly nothing): who leads is known. */
    public boolean joined() {
        return joined;
    }

    @Override
    public void close() {
        member.close();
        owned.clear();
    }
}
