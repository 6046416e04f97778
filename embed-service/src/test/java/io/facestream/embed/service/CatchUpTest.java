package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import io.facestream.embed.model.zoo.ModelZoo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The catch-up pass: frames captured while the embed service was down are older than max-lag when it comes back.
 * The live path skips them, yet live frames are embedded at once, and the backlog's faces come out afterwards,
 * marked {@code catch_up}, with the provenance of their original frames.
 */
@KafkaBroker
class CatchUpTest {
    private static final String GIVEN = "[{\"box\":[40,40,160,160],\"label\":\"x\"}]";

    @Test
    void aBacklogFromAnOutageIsEmbeddedAfterTheLiveFramesAndMarkedCatchUp(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String backlog = "backlog-" + run;
        String ancient = "ancient-" + run;
        String live = "live-" + run;
        FacestreamConfig config = config(bootstrap, "3m");
        long now = System.currentTimeMillis();
        List<ProducerRecord<String, byte[]>> outage = new ArrayList<>();
        Map<Long, TraceParent> given = new HashMap<>();
        for (int seq = 0; seq < 16; seq++) { // captured a minute ago, 100 ms apart, while no embed service ran
            ProducerRecord<String, byte[]> f = frame(backlog, seq, now - 60_000 + seq * 100L);
            if (seq % 2 == 0) { // half of them traced by their producer, half not
                given.put((long) seq, TraceParent.root());
                TraceHeaders.set(f.headers(), given.get((long) seq));
            }
            outage.add(f);
        }
        for (int seq = 0; seq < 3; seq++) { // older than catch-up.max-age: never embedded, only counted
            outage.add(frame(ancient, seq, now - 10 * 60_000 + seq * 100L));
        }
        EmbedServiceTest.produce(bootstrap, outage);

        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (service.totals().skippedLate() < outage.size() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(outage.size(), service.totals().skippedLate(), "the live path skips the whole backlog");

            // live frames while the pass works through the backlog: none may become late (max-lag 5 s)
            List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
            for (int seq = 0; seq < 5; seq++) {
                frames.add(frame(live, seq, System.currentTimeMillis()));
            }
            long sent = System.currentTimeMillis();
            EmbedServiceTest.produce(bootstrap, frames);
            List<FaceObservation> liveFaces = EmbedServiceTest.observations(bootstrap, live, 5);
            long liveMs = System.currentTimeMillis() - sent;
            assertTrue(liveMs < 5_000, "live frames embedded within max-lag while catching up: " + liveMs + " ms");
            liveFaces.forEach(o -> assertFalse(o.getCatchUp(), "a live face is not catch-up: " + o.getFrameSeq()));
            assertEquals(outage.size(), service.totals().skippedLate(), "no live frame was skipped");

            List<ConsumerRecord<String, byte[]>> caught = EmbedServiceTest.read(
                    bootstrap, TopicCatalog.FACES, r -> backlog.equals(r.key()) && !EmbedServiceTest.progress(r), 16);
            List<FaceObservation> faces = new ArrayList<>();
            Map<Long, TraceParent> traces = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : caught) {
                FaceObservation o = FaceObservation.parseFrom(r.value());
                faces.add(o);
                traces.put(o.getFrameSeq(), TraceHeaders.peek(r.headers()));
            }
            // the trace survives the detour through facestream.late-frames: the producer's, or the one embed started
            for (long seq = 0; seq < 16; seq++) {
                assertNotNull(traces.get(seq), "catch-up face of frame " + seq + " has a valid traceparent");
                if (given.containsKey(seq)) {
                    assertEquals(given.get(seq).traceId(), traces.get(seq).traceId(), "frame " + seq);
                }
            }
            assertEquals(
                    16,
                    traces.values().stream()
                            .map(TraceParent::traceId)
                            .distinct()
                            .count(),
                    "a trace per frame");
            faces.sort(Comparator.comparingLong(FaceObservation::getFrameSeq));
            for (int seq = 0; seq < 16; seq++) {
                FaceObservation o = faces.get(seq);
                assertEquals(seq, o.getFrameSeq(), "each backlog frame once, in order");
                assertTrue(o.getCatchUp(), "a backlog face is marked catch_up");
                assertEquals((now - 60_000 + seq * 100L) * 1000, o.getCaptureTsUs(), "its capture time is kept");
                assertEquals(192, o.getEmbeddingCount(), "embedded by the real model");
                assertTrue(
                        o.getFrameOffset() >= 0 && o.getFramePartition() >= 0,
                        "provenance: the frame on facestream.frames");
            }
            assertEquals(16, service.totals().caughtUp(), "every backlog frame within max-age caught up");
            assertEquals(
                    3,
                    service.totals().catchUpExpired(),
                    "frames older than catch-up.max-age are counted, not embedded");
            assertEquals(
                    List.of(),
                    EmbedServiceTest.read(
                            bootstrap,
                            TopicCatalog.FACES,
                            r -> ancient.equals(r.key()) && !EmbedServiceTest.progress(r),
                            -1),
                    "no face of the expired frames");
            assertNull(service.failure());
        }
    }

    @Test
    void aMaxAgeBeyondTheFramesRetentionIsRefusedAtLoadNamingBothSettings() {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("embed.service.catch-up.max-age", "2h")
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbedSettings.from(config));
        assertTrue(
                e.getMessage().contains("embed.service.catch-up.max-age (PT2H)")
                        && e.getMessage().contains("retention.ms")
                        && e.getMessage().contains(TopicCatalog.FRAMES),
                e.getMessage());
        assertEquals(
                java.time.Duration.ofHours(1),
                EmbedSettings.from(FacestreamConfig.builder().isolated().build())
                        .catchUp()
                        .maxAge());
    }

    private static FacestreamConfig config(String bootstrap, String maxAge) throws Exception {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", ModelZoo.defaultStore().root().toString())
                .flag("embed.service.group-id", "embed-catch-up-" + UUID.randomUUID())
                .flag(
                        "embed.service.instance-id",
                        "c-" + UUID.randomUUID().toString().substring(0, 6))
                .flag("embed.service.mode", "live")
                .flag("embed.service.keep-rejected", true)
                .flag("embed.service.catch-up.max-age", maxAge)
                .flag("embed.service.catch-up.batch-size", 4)
                .build();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        // the shared broker holds other tests' frames and late frames
        ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        ConsumerGroups.startAtEnd(
                bootstrap, config.getString("embed.service.group-id") + "-catch-up", TopicCatalog.LATE_FRAMES);
        return config;
    }

    /** A noise frame with one given face, captured at {@code captureMs}. */
    private static ProducerRecord<String, byte[]> frame(String camera, long seq, long captureMs) {
        ProducerRecord<String, byte[]> r = EmbedServiceTest.frame(camera, seq, noise(seq), GIVEN);
        r.headers().remove(FrameHeaders.CAPTURE_TS);
        r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(captureMs * 1000));
        return r;
    }

    private static byte[] noise(long seed) {
        try (var m = new org.bytedeco.opencv.opencv_core.Mat(200, 200, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
                var buf = new org.bytedeco.javacpp.BytePointer()) {
            org.bytedeco.opencv.global.opencv_core.setRNGSeed((int) seed + 1);
            org.bytedeco.opencv.global.opencv_core.randu(
                    m,
                    new org.bytedeco.opencv.opencv_core.Mat(
                            1,
                            1,
                            org.bytedeco.opencv.global.opencv_core.CV_64F,
                            new org.bytedeco.javacpp.DoublePointer(0.0)),
                    new org.bytedeco.opencv.opencv_core.Mat(
                            1,
                            1,
                            org.bytedeco.opencv.global.opencv_core.CV_64F,
                            new org.bytedeco.javacpp.DoublePointer(255.0)));
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", m, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
