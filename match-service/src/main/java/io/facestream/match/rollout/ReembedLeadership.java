package io.facestream.match.rollout;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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

    private final String group;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean joined;

    private ReembedLeadership(String bootstrap, String modelName) {
        this.group = "facestream-match-reembed." + modelName;
        // A crashed leader must hand over quickly: the broker's minimum session (6 s), beating every second.
        this.consumer = new KafkaConsumer<>(KafkaClients.with(KafkaClients.consumer(bootstrap, group), Map.of(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 60_000)));
        this.thread = Thread.ofPlatform().name("reembed-leadership").daemon().unstarted(this::run);
    }

    /** Joins the re-embedding group of {@code modelName}; {@link #leads()} turns true once this instance is chosen. */
    public static ReembedLeadership join(String bootstrap, String modelName) {
        ReembedLeadership l = new ReembedLeadership(bootstrap, modelName);
        l.thread.start();
        return l;
    }

    /** Whether this instance writes re-embedded vectors now. */
    public boolean leads() {
        return owned.contains(LEAD);
    }

    /** Whether the group has given this instance its share at least once (possibly nothing): who leads is known. */
    public boolean joined() {
        return joined;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(TopicCatalog.MODELS), new ConsumerRebalanceListener() {
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
            });
            while (running) {
                consumer.poll(Duration.ofMillis(500)); // membership only: the records are the follower's business
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("re-embedding group {} left after an error: {}; this instance no longer re-embeds", group, e.toString(), e);
        } finally {
            owned.clear();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
