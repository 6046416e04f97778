package io.facestream.ops.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ChildJvm;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through a real crash: the embed service runs as its own JVM ({@code facestream embed}), is killed with
 * SIGKILL in the middle of a stream and started again; the committed observations per frame must be exactly the
 * faces of that frame — none lost, none doubled.
 */
@KafkaBroker
class EmbedKillRestartTest {
    private static final int FRAMES = 240;

    @Test
    void killedInstanceResumesWithNoLostAndNoDuplicatedObservations(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        Path photo = SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_B);
        ModelZoo.ensure(ModelZoo.defaultStore(), "mtcnn"); // pulled here, not inside the child's timing
        ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");

        String camera = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        String group = "kill-group-" + camera;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ConsumerGroups.startAtEnd(bootstrap, group, TopicCatalog.FRAMES);

        // frame n carries 1 + n % 3 given faces: the uninterrupted result is known exactly
        byte[] image = Files.readAllBytes(photo);
        Map<Long, Integer> expected = new TreeMap<>();
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "kill-test"))) {
            for (long seq = 0; seq < FRAMES; seq++) {
                int n = 1 + (int) (seq % 3);
                expected.put(seq, n);
                List<String> faces = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    faces.add(
                            "{\"box\":[" + (30 + 20 * i) + "," + (20 + 10 * i) + ",140,160],\"label\":\"f" + i + "\"}");
                }
                RecordHeaders h = new RecordHeaders();
                h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
                h.add(FrameHeaders.FACES, ("[" + String.join(",", faces) + "]").getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, image, h));
            }
            producer.flush();
        }

        Process first = startEmbed(bootstrap, group, camera, dir.resolve("first.log"));
        long deadline = System.currentTimeMillis() + 120_000;
        int seenBeforeKill = 0;
        while (seenBeforeKill == 0 && System.currentTimeMillis() < deadline && first.isAlive()) {
            seenBeforeKill = EmbedEndToEndTest.read(bootstrap, camera, 0, Duration.ofMillis(500))
                    .size();
        }
        boolean diedByItself = !first.isAlive();
        first.destroyForcibly().waitFor();
        assertTrue(
                seenBeforeKill > 0,
                "the first instance committed something before it was killed"
                        + (diedByItself ? " (it exited by itself with " + first.exitValue() + ")" : "") + "; log:\n"
                        + log(dir.resolve("first.log")));
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(seenBeforeKill < total, "killed mid-stream (" + seenBeforeKill + " of " + total + " observations)");

        Process second = startEmbed(bootstrap, group, camera, dir.resolve("second.log"));
        try {
            List<FaceObservation> all = EmbedEndToEndTest.read(bootstrap, camera, total, Duration.ofSeconds(180));
            Map<Long, Integer> actual = new TreeMap<>();
            for (FaceObservation o : all) {
                actual.merge(o.getFrameSeq(), 1, Integer::sum);
            }
            assertEquals(
                    expected,
                    actual,
                    "observations per frame after kill and restart; log:\n" + log(dir.resolve("second.log")));
        } finally {
            second.destroy();
            second.waitFor();
        }
    }

    private static Process startEmbed(String bootstrap, String group, String camera, Path log) throws Exception {
        return ChildJvm.start(
                log.getParent(),
                log,
                "io.facestream.ops.FacestreamCli",
                List.of(
                        "embed",
                        "--bootstrap",
                        bootstrap,
                        "--management-port",
                        "0",
                        "--mode",
                        "complete",
                        "--instance",
                        camera,
                        "--set",
                        "embed.service.group-id=" + group,
                        "--set",
                        "models.dir=" + ModelZoo.defaultStore().root(),
                        "--set",
                        "face.batch-size=4",
                        "--set",
                        "embed.service.keep-rejected=true"));
    }

    private static String log(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file) : "(no log)";
    }
}
