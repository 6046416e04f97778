package io.facestream.ops.ingest;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Frame;
import io.facestream.core.events.FrameReader;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.runtime.AllInOne;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code facestream ingest} and {@code facestream up} with cameras, on the real broker. */
@KafkaBroker
class IngestCommandTest {
    @TempDir
    Path dir;

    @Test
    void onceExitsZeroAfterDeliveringEveryFrame(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        Path stills = images(6);
        int rc = FacestreamCli.run(
                "ingest",
                "--bootstrap",
                bootstrap,
                "--management-port",
                "0",
                "--camera",
                "cli-ok=" + stills + ";image-fps=5",
                "--fps",
                "0",
                "--fast",
                "--once",
                "--set",
                "metrics.log-interval=1s");
        assertEquals(0, rc);
        assertEquals(6, frames(bootstrap, "cli-ok", 6).size());
    }

    @Test
    void aFailedCameraMakesTheExitCodeNonZeroButTheOthersStillDeliver(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        Path stills = images(4);
        int rc = FacestreamCli.run(
                "ingest",
                "--bootstrap",
                bootstrap,
                "--management-port",
                "0",
                "--camera",
                "cli-good=" + stills,
                "--camera",
                "cli-missing=" + dir.resolve("gone.mp4"),
                "--fps",
                "0",
                "--fast",
                "--once");
        assertEquals(1, rc);
        assertEquals(4, frames(bootstrap, "cli-good", 4).size());
    }

    @Test
    void upStartsIngestForConfiguredCameras(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        Path stills = images(3);
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("cameras.up-cam.source", stills.toString())
                .flag("cameras.up-cam.fps", 0)
                .flag("cameras.up-cam.replay", "fast")
                // this test is about ingest inside `up`; the other services have their own tests
                .flag("embed.service.enabled", false)
                .flag("match.enabled", false)
                .build();
        try (AllInOne all = AllInOne.start(config)) {
            assertEquals(bootstrap, all.bootstrapServers());
            assertEquals(3, frames(bootstrap, "up-cam", 3).size());
            // the management port's view of this process: each started part, ready once the broker has answered
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!all.health().report().ready() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            var report = all.health().report();
            assertEquals(
                    List.of("broker", "transactions", "ingest"),
                    List.copyOf(report.components().keySet()));
            assertTrue(report.ready(), report.toString());
        }
        // no cameras configured: nothing to ingest, up still starts
        try (AllInOne all = AllInOne.start(FacestreamConfig.builder()
                .isolated()
                .build()
                .with(Map.of("kafka.bootstrap", bootstrap, "embed.service.enabled", false, "match.enabled", false)))) {
            assertEquals(bootstrap, all.bootstrapServers());
        }
    }

    private Path images(int n) throws Exception {
        Path d = Files.createDirectories(dir.resolve("stills-" + n));
        for (int i = 0; i < n; i++) {
            try (Mat m = new Mat(48, 64, opencv_core.CV_8UC3, new Scalar(20 * i, 100, 200, 0))) {
                assertTrue(imwrite(d.resolve(String.format("%02d.jpg", i)).toString(), m));
            }
        }
        return d;
    }

    private static List<Frame> frames(String bootstrap, String camera, int expected) {
        List<Frame> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "t-" + UUID.randomUUID()))) {
            c.subscribe(List.of(TopicCatalog.FRAMES));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (camera.equals(r.key())) {
                        out.add(FrameReader.read(r));
                    }
                }
            }
            // anything beyond the expected count would be a duplicate
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                if (camera.equals(r.key())) {
                    out.add(FrameReader.read(r));
                }
            }
        }
        return out;
    }
}
