package io.facestream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Frame;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.ingest.camera.CameraRequest;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The live path against a real HTTP MJPEG server on loopback that goes away and comes back. */
@KafkaBroker
class LiveIngestTest {

    @Test
    void reconnectsAfterTheServerComesBackAndCountsTheGap(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        String camera = "live-mjpeg";
        try (MjpegServer server = new MjpegServer(25)) {
            server.start();
            try (IngestService ingest = IngestService.start(
                    bootstrap,
                    List.of(CameraRequest.parse(camera + "=" + server.url() + ";fps=10;reconnect-attempts=30")),
                    RecordedIngestTest.FAST_5FPS,
                    Duration.ofSeconds(10))) {
                LongSupplier sent = () -> ingest.status(camera).counts().sent();
                waitFor(() -> sent.getAsLong() >= 8, ingest, camera);
                server.stop();
                long beforeOutage = sent.getAsLong();
                Thread.sleep(1500);
                long duringOutage = sent.getAsLong();
                assertTrue(duringOutage - beforeOutage <= 2, "nothing flows while the server is away");
                assertEquals(CameraStatus.State.RUNNING, ingest.status(camera).state(), "still trying");
                server.start();
                waitFor(() -> sent.getAsLong() >= duringOutage + 8, ingest, camera);
                CameraStatus status = ingest.status(camera);
                assertEquals(1, status.counts().gaps(), "one outage, one gap");
                assertEquals(0, status.counts().errors());
            }
        }
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 16), 160, 120);
        assertTrue(frames.size() >= 16, "frames before and after the outage: " + frames.size());
        long longestPause = 0;
        for (int i = 1; i < frames.size(); i++) {
            longestPause = Math.max(
                    longestPause,
                    frames.get(i).captureMicros() - frames.get(i - 1).captureMicros());
        }
        assertTrue(longestPause >= 1_000_000, "the outage shows in wall-clock capture times: " + longestPause + " µs");
        long now = System.currentTimeMillis() * 1000;
        assertTrue(
                Math.abs(now - frames.getLast().captureMicros()) < 60_000_000, "live capture time is the wall clock");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, IngestService ingest, String camera)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            CameraStatus s = ingest.status(camera);
            if (s.state() == CameraStatus.State.FAILED || System.nanoTime() > deadline) {
                throw new AssertionError("camera did not get there: " + s);
            }
            Thread.sleep(20);
        }
    }
}
