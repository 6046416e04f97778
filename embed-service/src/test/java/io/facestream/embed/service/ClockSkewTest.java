package io.facestream.embed.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * A camera whose clock is two hours ahead. Kafka refuses record times more than an hour ahead (the broker's
 * {@code log.message.timestamp.after.max.ms}), so such a frame's faces must never reach a transaction as they are:
 * that made every transaction of the batch fail again and again, and delayed every other camera.
 */
@KafkaBroker
class ClockSkewTest {
    private static final long TWO_HOURS_MS = 2 * 3600_000L;
    private static final String GIVEN = "[{\"box\":[40,40,160,160],\"label\":\"x\"}]";

    @Test
    void aFrameTwoHoursAheadIsClampedAndTheOtherCameraIsNotDelayed(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String skewed = "skewed-" + run;
        String other = "other-" + run;
        FacestreamConfig config = config(bootstrap, "clamp");
        double failedBefore = failedTransactions();
        List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
        frames.add(frame(skewed, 0, TWO_HOURS_MS));
        for (int seq = 0; seq < 4; seq++) {
            frames.add(frame(other, seq, 0));
        }
        long sent = System.currentTimeMillis();
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            EmbedServiceTest.produce(bootstrap, frames);
            List<FaceObservation> fromOther = EmbedServiceTest.observations(bootstrap, other, 4);
            List<FaceObservation> fromSkewed = EmbedServiceTest.observations(bootstrap, skewed, 1);
            long clampedTo = fromSkewed.get(0).getCaptureTsUs() / 1000;
            assertTrue(
                    clampedTo >= sent && clampedTo <= System.currentTimeMillis(),
                    "processed as captured now: " + clampedTo + " not in [" + sent + ", now]");
            assertEquals(4, fromOther.size());
            assertEquals(failedBefore, failedTransactions(), "no transaction failed");
            assertEquals(null, service.failure());
        }
    }

    @Test
    void withDeadLetterTheFrameGoesToTheDlqNamingTheSkew(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String skewed = "skewed-dlq-" + run;
        FacestreamConfig config = config(bootstrap, "dead-letter");
        double failedBefore = failedTransactions();
        double skewBefore = deadLetters("clock-skew");
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            EmbedServiceTest.produce(bootstrap, List.of(frame(skewed, 0, TWO_HOURS_MS), frame(skewed, 1, 0)));
            List<ConsumerRecord<String, byte[]>> dead =
                    EmbedServiceTest.read(bootstrap, TopicCatalog.DLQ, r -> skewed.equals(r.key()), 1);
            String reason = EmbedServiceTest.header(dead.get(0), DeadLetter.REASON);
            assertTrue(
                    reason.contains("ahead of this host's clock") && reason.contains("embed.service.max-clock-skew"),
                    reason);
            List<FaceObservation> kept = EmbedServiceTest.observations(bootstrap, skewed, 1);
            assertEquals(1, kept.get(0).getFrameSeq(), "the frame after it is processed");
            assertEquals(
                    skewBefore + 1,
                    deadLetters("clock-skew"),
                    "facestream_dlq_records_total{stage=embed,reason=clock-skew}");
            assertEquals(failedBefore, failedTransactions(), "no transaction failed");
        }
    }

    private static FacestreamConfig config(String bootstrap, String policy) throws Exception {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", ModelZoo.defaultStore().root().toString())
                .flag("embed.service.group-id", "embed-skew-" + UUID.randomUUID())
                .flag(
                        "embed.service.instance-id",
                        "s-" + UUID.randomUUID().toString().substring(0, 6))
                .flag("embed.service.mode", "complete")
                .flag("embed.service.keep-rejected", true)
                .flag("embed.service.future-frames", policy)
                .build();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        return config;
    }

    /** A 200×200 noise frame with one given face: no photograph needed, the embedder runs on the aligned crop. */
    private static ProducerRecord<String, byte[]> frame(String camera, long seq, long aheadMs) {
        ProducerRecord<String, byte[]> r = EmbedServiceTest.frame(camera, seq, noiseJpeg(seq), GIVEN);
        r.headers().remove(FrameHeaders.CAPTURE_TS);
        r.headers()
                .add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong((System.currentTimeMillis() + aheadMs) * 1000));
        return r;
    }

    private static byte[] noiseJpeg(long seed) {
        try (Mat m = new Mat(200, 200, opencv_core.CV_8UC3);
                BytePointer buf = new BytePointer()) {
            opencv_core.setRNGSeed((int) seed + 1);
            opencv_core.randu(
                    m,
                    new Mat(1, 1, opencv_core.CV_64F, new org.bytedeco.javacpp.DoublePointer(0.0)),
                    new Mat(1, 1, opencv_core.CV_64F, new org.bytedeco.javacpp.DoublePointer(255.0)));
            opencv_imgcodecs.imencode(".jpg", m, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    private static double deadLetters(String reason) {
        var c = Metrics.registry()
                .find("facestream.dlq.records")
                .tag("stage", "embed")
                .tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    private static double failedTransactions() {
        var c = Metrics.registry().find("facestream.embed.transactions.failed").counter();
        return c == null ? 0 : c.count();
    }
}
