package io.facestream.ops.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.CameraId;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.ingest.publish.FramePublisher;
import io.facestream.match.runtime.MatchService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One sighting followed across the services by its W3C {@code traceparent}: frames published by ingest's
 * {@link FramePublisher} each start a trace; the embed service's faces and the match service's decisions continue it
 * (same trace id, a span of their own). Frames from a plain producer without the header, or with a malformed one, get
 * a new trace at embed, and the bad value goes no further.
 */
@KafkaBroker
class TraceEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void theTraceOfAFrameReachesItsFacesAndTheDecision(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = ServiceMetricsTest.config(bootstrap, dir, run);
        byte[] photo = Files.readAllBytes(SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_A));
        String published = "traced-" + run;
        String plain = "plain-" + run;
        String malformed = "malformed-" + run;
        String bad = "00-this-is-not-a-trace-01";
        double malformedBefore = replaced("malformed");

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap)) {
            match.awaitRunning(Duration.ofSeconds(60));
            assertEquals(
                    201,
                    ServiceTraffic.post(
                            "http://127.0.0.1:" + match.apiPort() + "/api/galleries",
                            ServiceMetricsTest.ADMIN,
                            "{\"name\":\"watch-" + run + "\"}"));

            long t0 = System.currentTimeMillis() * 1000;
            try (FramePublisher publisher = FramePublisher.connect(KafkaConnection.of(bootstrap), "trace-ingest")) {
                for (int seq = 0; seq < 3; seq++) {
                    publisher.publish(CameraId.of(published), seq, t0 + seq * 200_000L, photo, (m, e) -> {});
                }
                publisher.flush();
            }
            try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "trace-plain"))) {
                for (int seq = 0; seq < 2; seq++) {
                    producer.send(frame(plain, seq, t0 + seq * 200_000L, photo, null))
                            .get();
                    producer.send(frame(malformed, seq, t0 + seq * 200_000L, photo, bad))
                            .get();
                }
            }

            // the frames as ingest wrote them: each its own sampled trace
            Map<Long, TraceParent> frameTraces = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r :
                    read(bootstrap, TopicCatalog.FRAMES, published, rs -> rs.size() >= 3)) {
                String header =
                        new String(r.headers().lastHeader(TraceParent.HEADER).value(), StandardCharsets.UTF_8);
                assertTrue(header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), header);
                frameTraces.put(
                        FrameHeaders.readLong(r.headers(), FrameHeaders.CAPTURE_TS)
                                .orElseThrow(),
                        TraceParent.parse(header).orElseThrow());
            }
            assertEquals(3, frameTraces.size());
            assertEquals(
                    3,
                    frameTraces.values().stream()
                            .map(TraceParent::traceId)
                            .distinct()
                            .count(),
                    "a trace per frame");

            // every face of a published frame: the frame's trace id, a span of its own
            List<ConsumerRecord<String, byte[]>> faces = read(
                    bootstrap,
                    TopicCatalog.FACES,
                    published,
                    rs -> faceRecords(rs).size() >= 3);
            Map<Long, TraceParent> faceTraces = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : faceRecords(faces)) {
                FaceObservation o = FaceObservation.parseFrom(r.value());
                TraceParent face = TraceHeaders.peek(r.headers());
                assertNotNull(face, "face of frame " + o.getFrameSeq() + " has a valid traceparent");
                TraceParent frame = frameTraces.get(o.getCaptureTsUs());
                assertEquals(frame.traceId(), face.traceId(), "face of frame " + o.getFrameSeq());
                assertNotEquals(frame.spanId(), face.spanId(), "the face is a span of its own");
                faceTraces.put(o.getCaptureTsUs(), face);
            }

            // the decisions: the trace of the track's newest face (whose capture time is the decision's end)
            List<ConsumerRecord<String, byte[]>> decisions = read(
                    bootstrap,
                    TopicCatalog.MATCHES,
                    published,
                    rs -> rs.stream().anyMatch(r -> match(r).stage() == Match.Stage.FINAL));
            for (ConsumerRecord<String, byte[]> r : decisions) {
                Match m = match(r);
                TraceParent decision = TraceHeaders.peek(r.headers());
                assertNotNull(decision, m.matchId() + " carries a traceparent");
                TraceParent face = faceTraces.get(m.endTsUs());
                assertNotNull(face, "a face at the decision's end " + m.endTsUs() + ": " + faceTraces.keySet());
                assertEquals(frameTraces.get(m.endTsUs()).traceId(), decision.traceId(), m.matchId());
                assertNotEquals(face.spanId(), decision.spanId(), "the decision is a span of its own");
            }

            // a frame without a traceparent gets one at embed: its faces share a new trace per frame, and so does the
            // decision
            Map<Long, TraceParent> plainFaces = traces(faceRecords(read(
                    bootstrap, TopicCatalog.FACES, plain, rs -> faceRecords(rs).size() >= 2)));
            assertEquals(2, plainFaces.size(), "one face per frame");
            assertEquals(
                    2,
                    plainFaces.values().stream()
                            .map(TraceParent::traceId)
                            .distinct()
                            .count());
            for (ConsumerRecord<String, byte[]> r : read(
                    bootstrap,
                    TopicCatalog.MATCHES,
                    plain,
                    rs -> rs.stream().anyMatch(d -> match(d).stage() == Match.Stage.FINAL))) {
                assertEquals(
                        plainFaces.get(match(r).endTsUs()).traceId(),
                        TraceHeaders.peek(r.headers()).traceId());
            }

            // a malformed traceparent is replaced, counted, and goes no further
            Map<Long, TraceParent> replacedFaces = traces(faceRecords(read(
                    bootstrap,
                    TopicCatalog.FACES,
                    malformed,
                    rs -> faceRecords(rs).size() >= 2)));
            assertEquals(2, replacedFaces.size());
            for (ConsumerRecord<String, byte[]> r :
                    faceRecords(read(bootstrap, TopicCatalog.FACES, malformed, rs -> true))) {
                String header =
                        new String(r.headers().lastHeader(TraceParent.HEADER).value(), StandardCharsets.UTF_8);
                assertNotEquals(bad, header);
            }
            assertTrue(
                    replaced("malformed") >= malformedBefore + 2,
                    "facestream_traceparent_replaced_total{stage=embed,reason=malformed}: " + replaced("malformed"));
            Set<String> all = new java.util.HashSet<>();
            frameTraces.values().forEach(t -> all.add(t.traceId()));
            plainFaces.values().forEach(t -> all.add(t.traceId()));
            replacedFaces.values().forEach(t -> all.add(t.traceId()));
            assertEquals(7, all.size(), "no two frames share a trace");
        }
    }

    private static ProducerRecord<String, byte[]> frame(
            String camera, long seq, long captureUs, byte[] jpeg, String traceparent) {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(captureUs));
        if (traceparent != null) {
            h.add(TraceParent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, jpeg, h);
    }

    /** The face records among the faces topic's (not the embed service's progress records). */
    private static List<ConsumerRecord<String, byte[]>> faceRecords(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream()
                .filter(r -> {
                    try {
                        return !FaceObservation.parseFrom(r.value()).hasProgress();
                    } catch (Exception e) {
                        return false;
                    }
                })
                .collect(Collectors.toList());
    }

    /** Face traces by capture time. */
    private static Map<Long, TraceParent> traces(List<ConsumerRecord<String, byte[]>> faces) throws Exception {
        Map<Long, TraceParent> byTime = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : faces) {
            TraceParent t = TraceHeaders.peek(r.headers());
            assertNotNull(t, "every face has a valid traceparent");
            byTime.put(FaceObservation.parseFrom(r.value()).getCaptureTsUs(), t);
        }
        return byTime;
    }

    private static Match match(ConsumerRecord<String, byte[]> r) {
        return JsonSerde.match().deserializer().deserialize(r.topic(), r.value());
    }

    /** The records of {@code camera} in {@code topic}, from the start, once {@code done} holds (or the wait ends). */
    private static List<ConsumerRecord<String, byte[]>> read(
            String bootstrap, String topic, String camera, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "trace-read-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (camera.equals(r.key())) {
                        seen.add(r);
                    }
                }
                if (!seen.isEmpty() && done.test(seen)) {
                    return seen;
                }
            }
        }
        assertFalse(true, "waited " + WAIT + " for the records of " + camera + " in " + topic + "; saw " + seen.size());
        return seen;
    }

    private static double replaced(String reason) {
        var c = Metrics.registry()
                .find("facestream.traceparent.replaced")
                .tags("stage", "embed", "reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }
}
