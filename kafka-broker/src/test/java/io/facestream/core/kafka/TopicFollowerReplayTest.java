package io.facestream.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * {@link TopicFollower#replay} on a real broker: the records already in a topic when following starts are told apart
 * from later ones, and "caught up" comes when every partition was read that far, not at the first empty poll. The topic
 * ends with transaction commit markers, which no record carries: the last record's offset is not the end.
 */
@KafkaBroker
class TopicFollowerReplayTest {

    @Test
    void replayedRecordsAreToldFromNewOnesAndCaughtUpFollowsTheEndAfterCommitMarkers(
            @KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = "replay-" + UUID.randomUUID();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties tx = KafkaClients.producer(bootstrap, "replay-test");
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "replay-test-" + UUID.randomUUID());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(tx)) {
            producer.initTransactions();
            for (int batch = 0; batch < 3; batch++) { // three transactions: each ends with a marker per partition
                producer.beginTransaction();
                for (int i = 0; i < 200; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 3, "old-" + batch + "-" + i, bytes("old")));
                }
                producer.commitTransaction();
            }
            // "already there" is what a read_committed reader can see: commitTransaction returns once the transaction
            // is committed, but its markers reach the partitions a moment later, and until then the records lie past
            // the last stable offset (they would rightly count as new). Wait until every partition shows them.
            awaitMarkers(bootstrap, topic);

            ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>(); // key -> replayed
            List<Boolean> caughtUpBeforeLastOld = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (TopicFollower follower = TopicFollower.replay(
                    KafkaConnection.of(bootstrap), topic, "replay-test", Duration.ofMillis(100), (records, replay) -> {
                        int oldBefore =
                                (int) seen.values().stream().filter(b -> b).count();
                        records.forEach(r -> seen.put(r.key(), replay.replayed(r)));
                        int old = (int) seen.values().stream().filter(b -> b).count();
                        if (old < 600) {
                            caughtUpBeforeLastOld.add(replay.caughtUp());
                        }
                        assertTrue(old >= oldBefore);
                    })) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!follower.caughtUp() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(follower.caughtUp(), "caught up within 60 s");
                assertEquals(600, seen.size(), "every old record read once caught up");
                assertTrue(seen.values().stream().allMatch(b -> b), "every old record is a replayed one");
                assertFalse(caughtUpBeforeLastOld.contains(true), "not caught up before the last old record");

                producer.beginTransaction();
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 3, "new-" + i, bytes("new")));
                }
                producer.commitTransaction();
                while (seen.size() < 630 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(630, seen.size());
                for (int i = 0; i < 30; i++) {
                    assertFalse(seen.get("new-" + i), "written after the start: not replayed");
                }
                assertEquals(null, follower.failure());
            }
        }
    }

    /** Until each partition's last stable offset (read_committed end) is its log end: no transaction marker pending. */
    private static void awaitMarkers(String bootstrap, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                boolean done = latest.keySet().stream()
                        .allMatch(tp -> stable.get(tp).offset() == end.get(tp).offset());
                if (done) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "transaction markers written within 30 s");
                Thread.sleep(10);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
