package io.facestream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.CameraSpec;
import io.facestream.core.events.CameraState;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest following facestream.cameras: a topic camera with the id of a config camera replaces it and gives it back
 * when removed; a spec that cannot be used fails that camera only, with the reason in its status; the status topic
 * carries the origin and the state, credentials masked.
 */
@KafkaBroker
class CameraTopicTest {
    @TempDir
    Path dir;

    private static Path images(Path dir, String name, int width) throws Exception {
        Path d = Files.createDirectory(dir.resolve(name));
        for (int i = 0; i < 3; i++) {
            TestClips.writeImage(d.resolve("img-" + i + ".jpg"), i, width, 100);
        }
        return d;
    }

    private static void put(KafkaProducer<String, byte[]> p, String id, CameraSpec spec) throws Exception {
        p.send(new ProducerRecord<>(TopicCatalog.CAMERAS, id, spec == null ? null : spec.toByteArray()))
                .get();
    }

    /** Reads the status topic until {@code id}'s latest report passes {@code until} (empty = tombstone). */
    private static Optional<CameraState> awaitStatus(
            KafkaConsumer<String, byte[]> c, String id, Predicate<Optional<CameraState>> until) throws Exception {
        Optional<CameraState> last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (id.equals(r.key())) {
                    last = r.value() == null ? Optional.empty() : Optional.of(CameraState.parseFrom(r.value()));
                }
            }
            if (last != null && until.test(last)) {
                return last;
            }
        }
        throw new AssertionError("status of " + id + " never as expected; last: " + last);
    }

    @Test
    void topicCamerasStartReplaceFailAndGiveBackConfigCameras(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        FramesTopic.create(bootstrap);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String lobby = "lobby-" + run;
        Path configured = images(dir, "configured", 200);
        Path replaced = images(dir, "replaced", 240);
        Map<String, Object> o = new HashMap<>();
        o.put("ingest.replay", "realtime");
        o.put("ingest.at-end", "loop");
        o.put("ingest.image-fps", 5);
        CameraOptions defaults = CameraOptions.fromConfig(
                FacestreamConfig.builder().isolated().build().with(o));
        KafkaConnection kafka = KafkaConnection.of(bootstrap);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.producer(bootstrap, "test-specs"));
                KafkaConsumer<String, byte[]> status = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null));
                IngestService ingest = IngestService.start(
                                kafka,
                                List.of(CameraRequest.parse(lobby + "=" + configured)),
                                defaults,
                                Duration.ofSeconds(10))
                        .followCameras(kafka, Duration.ofMillis(200))) {
            status.assign(List.of(new TopicPartition(TopicCatalog.CAMERA_STATUS, 0)));
            awaitStatus(status, lobby, s -> s.isPresent() && s.get().getOrigin().equals("config"));

            put(
                    p,
                    lobby,
                    CameraSpec.newBuilder()
                            .setId(lobby)
                            .setSource(replaced.toString())
                            .build());
            CameraState topic = awaitStatus(
                            status,
                            lobby,
                            s -> s.isPresent()
                                    && s.get().getOrigin().equals("topic")
                                    && s.get().getFramesSent() > 0)
                    .orElseThrow();
            assertEquals("RUNNING", topic.getState());
            assertEquals(replaced.toString(), topic.getSource());

            String bad = "bad-" + run;
            put(
                    p,
                    bad,
                    CameraSpec.newBuilder()
                            .setId(bad)
                            .setSource("rtsp://u:pw-" + run + "@127.0.0.1:1/x")
                            .putOptions("fps", "many")
                            .build());
            CameraState failed = awaitStatus(
                            status,
                            bad,
                            s -> s.isPresent() && s.get().getState().equals("FAILED"))
                    .orElseThrow();
            assertTrue(failed.getLastError().contains("fps"), failed.getLastError());
            assertFalse(failed.toString().contains("pw-" + run), failed.toString());
            assertEquals("RUNNING", ingest.status(lobby).state().name(), "the other camera keeps running");

            put(p, lobby, null);
            CameraState back = awaitStatus(
                            status,
                            lobby,
                            s -> s.isPresent() && s.get().getOrigin().equals("config"))
                    .orElseThrow();
            assertEquals(configured.toString(), back.getSource());
            put(p, bad, null);
            assertTrue(awaitStatus(status, bad, Optional::isEmpty).isEmpty());
        }
    }
}
