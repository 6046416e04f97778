package io.facestream.ops.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ChildJvm;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.match.runtime.MatchService;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up through a real crash. A camera films four people one after the other (frames of a photo with a face,
 * then frames of an empty scene, in real time); the embed service runs as its own JVM in live mode and is killed with
 * SIGKILL after the first person. The second and third pass while it is down; it is started again once their frames
 * are older than max-lag, and the fourth passes after that. Every one of the four tracks must get its FINAL
 * decision: the first and the fourth live, the second and the third late ({@code late: true}, {@code late_by_ms} at
 * least the time they waited), each as one track, none split and none merged.
 */
@KafkaBroker
class OutageCatchUpTest {
    private static final long FRAME_MS = 250;
    private static final int FACE_FRAMES = 6;
    /** 3.5 s of empty scene: more than close-after + reorder window (2.5 s), so each person is a track of its own. */
    private static final int EMPTY_FRAMES = 14;

    private record Window(String name, long fromUs, long toUs, boolean duringOutage) {
        boolean holds(Match m) {
            return m.startTsUs() >= fromUs && m.endTsUs() <= toUs;
        }
    }

    @Test
    void everyTrackOfTheFootageGetsItsFinalDecisionThoseOfTheOutageMarkedLate(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        Path photo = SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_B);
        ModelZoo.ensure(ModelZoo.defaultStore(), "mtcnn"); // pulled here, not inside the child's start
        ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        byte[] person = Files.readAllBytes(photo);
        byte[] empty = grayJpeg();

        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "hall-" + run;
        String group = "outage-embed-" + run;
        String app = "outage-match-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ConsumerGroups.startAtEnd(bootstrap, group, TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, group + "-catch-up", TopicCatalog.LATE_FRAMES);
        ConsumerGroups.startAtEnd(bootstrap, app, TopicCatalog.FACES);
        ConsumerGroups.startAtEnd(bootstrap, "outage-verify-" + run, TopicCatalog.MATCHES);

        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.desk.key", "outage-test-key-0123456789abc");
        o.put("api.keys.desk.role", "admin");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", app);
        o.put("match.gallery", "outage-" + run); // empty: every decision is UNKNOWN, which is a decision all the same
        o.put("match.track.idle-check", "200ms");
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);

        List<Window> windows = new ArrayList<>();
        Map<String, Match> finals = new HashMap<>();
        Process embed = null;
        try (MatchService match = MatchService.start(config, bootstrap);
                KafkaConsumer<String, byte[]> verify =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "outage-verify-" + run));
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "outage-" + run))) {
            match.awaitRunning(Duration.ofSeconds(60));
            verify.subscribe(List.of(TopicCatalog.MATCHES));
            embed = startEmbed(bootstrap, group, run, dir.resolve("first.log"));
            Camera cam = new Camera(producer, camera, person, empty);

            // live: the first person, then the empty scene; the embed service is up once her FINAL decision is out
            cam.empty(4);
            windows.add(cam.person("first", false));
            cam.empty(EMPTY_FRAMES);
            awaitFinals(verify, camera, finals, 1, Duration.ofSeconds(90), dir.resolve("first.log"));

            // the crash: the second and third person pass while no embed service runs
            embed.destroyForcibly().waitFor();
            windows.add(cam.person("second", true));
            cam.empty(EMPTY_FRAMES);
            windows.add(cam.person("third", true));
            cam.empty(4);
            Thread.sleep(6_000); // the outage lasts: its frames are older than max-lag (5 s) when the service is back

            embed = startEmbed(bootstrap, group, run, dir.resolve("second.log"));
            awaitCatchUpFace(bootstrap, camera, Duration.ofSeconds(90), dir.resolve("second.log")); // it is back
            cam.empty(2);
            windows.add(cam.person("fourth", false));
            cam.empty(EMPTY_FRAMES);

            awaitFinals(verify, camera, finals, 4, Duration.ofSeconds(90), dir.resolve("second.log"));
            Thread.sleep(1_500); // a split track would have given a fifth FINAL decision by now
            drain(verify, camera, finals, Duration.ofMillis(500));
        } finally {
            if (embed != null) {
                embed.destroy();
                embed.waitFor();
            }
        }

        assertEquals(4, finals.size(), "one FINAL decision per person: " + finals.values());
        for (Window w : windows) {
            List<Match> in = finals.values().stream().filter(w::holds).toList();
            assertEquals(1, in.size(), w.name() + " person: exactly one track " + finals.values());
            Match m = in.get(0);
            assertEquals(
                    w.duringOutage(), m.late(), w.name() + " person: late exactly when seen during the outage: " + m);
            assertTrue(m.faces() >= FACE_FRAMES - 1, w.name() + " person: her faces are in her track: " + m);
            if (w.duringOutage()) {
                long waitedMs = (System.currentTimeMillis() * 1000 - w.toUs()) / 1000;
                assertTrue(
                        m.lateByMs() >= 5_000 && m.lateByMs() <= waitedMs,
                        w.name() + " person: late_by_ms " + m.lateByMs()
                                + " is at least the outage's max-lag and at most the time since: " + waitedMs);
            } else {
                assertEquals(0, m.lateByMs(), m.toString());
            }
        }
    }

    /** The camera: frames produced in real time, {@link #FRAME_MS} apart, capture time = when produced. */
    private static final class Camera {
        private final KafkaProducer<String, byte[]> producer;
        private final String id;
        private final byte[] person;
        private final byte[] empty;
        private long seq;

        Camera(KafkaProducer<String, byte[]> producer, String id, byte[] person, byte[] empty) {
            this.producer = producer;
            this.id = id;
            this.person = person;
            this.empty = empty;
        }

        Window person(String name, boolean duringOutage) throws Exception {
            long from = System.currentTimeMillis() * 1000;
            frames(person, FACE_FRAMES);
            return new Window(name, from, System.currentTimeMillis() * 1000, duringOutage);
        }

        void empty(int n) throws Exception {
            frames(empty, n);
        }

        private void frames(byte[] image, int n) throws Exception {
            for (int i = 0; i < n; i++) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, id, image);
                r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq++));
                r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
                producer.send(r).get();
                Thread.sleep(FRAME_MS);
            }
        }
    }

    private static Process startEmbed(String bootstrap, String group, String run, Path log) throws Exception {
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
                        "live",
                        "--instance",
                        "outage-" + run,
                        "--set",
                        "embed.service.group-id=" + group,
                        "--set",
                        "embed.service.state-dir=" + log.getParent().resolve("embed-state"),
                        "--set",
                        "models.dir=" + ModelZoo.defaultStore().root()));
    }

    private static void awaitFinals(
            KafkaConsumer<String, byte[]> verify,
            String camera,
            Map<String, Match> finals,
            int count,
            Duration timeout,
            Path log)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (finals.size() < count) {
            assertTrue(
                    System.nanoTime() < deadline,
                    "timed out waiting for " + count + " FINAL decisions: " + finals.values() + "; embed log:\n"
                            + (Files.exists(log) ? Files.readString(log) : "(none)"));
            drain(verify, camera, finals, Duration.ofMillis(100));
        }
    }

    private static void drain(
            KafkaConsumer<String, byte[]> verify, String camera, Map<String, Match> finals, Duration wait) {
        for (ConsumerRecord<String, byte[]> r : verify.poll(wait)) {
            if (camera.equals(r.key())) {
                Match m = JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
                if (m.stage() == Match.Stage.FINAL) {
                    finals.put(m.matchId(), m);
                }
            }
        }
    }

    /** Waits for the restarted service's first catch-up face of the camera. */
    private static void awaitCatchUpFace(String bootstrap, String camera, Duration timeout, Path log) throws Exception {
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FACES).stream()
                    .map(p -> new TopicPartition(TopicCatalog.FACES, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (camera.equals(r.key())
                            && FaceObservation.parseFrom(r.value()).getCatchUp()) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no catch-up face after the restart; embed log:\n" + Files.readString(log));
    }

    private static byte[] grayJpeg() throws Exception {
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                img.setRGB(x, y, 0x808080);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
