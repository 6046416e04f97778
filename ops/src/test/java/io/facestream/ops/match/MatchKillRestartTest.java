package io.facestream.ops.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ChildJvm;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a real crash: match-service runs as its own JVM ({@code facestream match}) while faces keep
 * arriving, is killed with SIGKILL and started again on the same state directory. A read_committed reader must see
 * each track's FINAL decision exactly once: none lost, none doubled.
 */
@KafkaBroker
class MatchKillRestartTest {
    private static final int TRACKS = 100;
    private static final int FACES_PER_TRACK = 4;

    @Test
    void killedMatchServiceResumesWithNoLostAndNoDuplicatedFinalDecisions(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String camera = "mkill-" + UUID.randomUUID().toString().substring(0, 8);
        String application = "match-kill-" + camera;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ConsumerGroups.startAtEnd(
                bootstrap, application, TopicCatalog.FACES); // Kafka Streams' group id is its application id

        // Faces keep arriving while the service is killed and restarted: one short track every 150 ms, each in its own
        // direction of feature space and 3 s of capture time after the one before, so that it closes the previous one.
        AtomicReference<Exception> producerFailed = new AtomicReference<>();
        Thread producer = new Thread(
                () -> {
                    try (var p =
                            new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "mkill-" + camera))) {
                        // recent capture times: the matches topic keeps 30 days, and the broker's retention check would
                        // delete
                        // decisions stamped with an old instant in the middle of a long test run
                        long t0 = System.currentTimeMillis() * 1000L;
                        for (int track = 0; track < TRACKS; track++) {
                            for (int f = 0; f < FACES_PER_TRACK; f++) {
                                p.send(new ProducerRecord<>(
                                        TopicCatalog.FACES,
                                        camera,
                                        io.facestream.ops.chaos.SyntheticTracks.face(
                                                        camera, track, f, FACES_PER_TRACK, t0)
                                                .toByteArray()));
                            }
                            p.flush();
                            Thread.sleep(150);
                        }
                    } catch (Exception e) {
                        producerFailed.set(e);
                    }
                },
                "mkill-producer");
        producer.start();

        Process first = startMatch(bootstrap, application, dir, "first");
        long deadline = System.currentTimeMillis() + 120_000;
        int seenBeforeKill = 0;
        while (seenBeforeKill < 5 && System.currentTimeMillis() < deadline && first.isAlive()) {
            seenBeforeKill = finals(bootstrap, camera, Duration.ofMillis(300)).values().stream()
                    .mapToInt(Integer::intValue)
                    .sum();
        }
        boolean diedByItself = !first.isAlive();
        first.destroyForcibly().waitFor();
        assertTrue(
                seenBeforeKill > 0,
                "the first instance committed final decisions before it was killed"
                        + (diedByItself ? " (it exited by itself with " + first.exitValue() + ")" : "") + "; log:\n"
                        + log(dir, "first"));
        assertTrue(
                seenBeforeKill < TRACKS,
                "killed mid-stream (" + seenBeforeKill + " of " + TRACKS + " final decisions)");

        Process second = startMatch(bootstrap, application, dir, "second");
        try {
            producer.join(60_000);
            assertEquals(null, producerFailed.get(), "producer");
            Map<String, Integer> expected = new TreeMap<>();
            for (int track = 1; track <= TRACKS; track++) {
                expected.put(camera + "/" + track + "/FINAL", 1);
            }
            Map<String, Integer> actual = Map.of();
            long until = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < until && second.isAlive()) {
                actual = finals(bootstrap, camera, Duration.ofSeconds(1));
                if (actual.size() >= TRACKS) {
                    Thread.sleep(2_000); // a duplicate would be committed by now
                    actual = finals(bootstrap, camera, Duration.ofSeconds(1));
                    break;
                }
            }
            assertEquals(
                    expected,
                    actual,
                    "FINAL decisions (match id -> times seen) after kill and restart; log:\n" + log(dir, "second"));
        } finally {
            second.destroy();
            second.waitFor();
        }
    }

    private static Process startMatch(String bootstrap, String application, Path dir, String name) throws Exception {
        return ChildJvm.start(
                dir,
                dir.resolve(name + ".log"),
                "io.facestream.ops.FacestreamCli",
                List.of(
                        "match",
                        "--bootstrap",
                        bootstrap,
                        "--port",
                        "0",
                        "--management-port",
                        "0",
                        "--set",
                        "match.application-id=" + application,
                        "--set",
                        "match.state-dir=" + dir.resolve("state"),
                        "--set",
                        "match.gallery=none",
                        "--set",
                        "match.track.idle-close=1s",
                        "--set",
                        "match.track.idle-check=200ms",
                        "--set",
                        "match.session-timeout=6s",
                        "--set",
                        "gallery.index-dir=" + dir.resolve("gallery-" + name),
                        "--set",
                        "api.keys.test.key=kill-test-key-0123456789",
                        "--set",
                        "api.audit-log=" + dir.resolve(name + "-audit.log"),
                        "--set",
                        "api.key-store=" + dir.resolve("api-keys.json"),
                        "--set",
                        "api.upload-dir=" + dir.resolve("uploads")));
    }

    /** Every committed FINAL decision of the camera, from the start of the topic: match id -> how many records. */
    private static Map<String, Integer> finals(String bootstrap, String camera, Duration quiet) throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        var values = JsonSerde.match().deserializer();
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.MATCHES).stream()
                    .map(p -> new TopicPartition(TopicCatalog.MATCHES, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long stop = System.currentTimeMillis() + quiet.toMillis() + 2_000;
            while (System.currentTimeMillis() < stop) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (camera.equals(r.key())) {
                        Match m = values.deserialize(r.topic(), r.value());
                        if (m.stage() == Match.Stage.FINAL) {
                            out.merge(m.matchId(), 1, Integer::sum);
                        }
                    }
                }
                // read_committed stops at the last stable offset: done once every partition is there
                if (parts.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                    break;
                }
            }
        }
        return out;
    }

    private static String log(Path dir, String name) throws Exception {
        Path f = dir.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f) : "(no log)";
    }
}
