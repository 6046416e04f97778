package io.facestream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import io.facestream.ingest.camera.CameraRequest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input next to a good camera: each fails alone with a clear error, the good one delivers everything. */
@KafkaBroker
class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void badCamerasFailAloneWithClearErrors(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        Path good = TestClips.h264Mp4(dir.resolve("good.mp4"), 75, 25, 320, 240);
        Path text = Files.writeString(dir.resolve("notes.mp4"), "these are meeting notes, not a video\n".repeat(50));
        Path full = TestClips.h264Mp4(dir.resolve("full.mp4"), 75, 25, 320, 240);
        byte[] bytes = Files.readAllBytes(full);
        Path truncated = Files.write(dir.resolve("truncated.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<CameraRequest> cameras = List.of(
                CameraRequest.parse("bad-good=" + good),
                CameraRequest.parse("bad-missing=" + dir.resolve("missing.mp4")),
                CameraRequest.parse("bad-text=" + text),
                CameraRequest.parse("bad-trunc=" + truncated),
                CameraRequest.parse("bad-url=http://127.0.0.1:" + closedPort + "/cam.mjpg;reconnect-attempts=2"),
                CameraRequest.parse("bad id!=" + good),
                CameraRequest.parse("bad-option=" + good + ";colour=red"));

        Map<String, CameraStatus> byCamera;
        try (IngestService ingest =
                IngestService.start(bootstrap, cameras, RecordedIngestTest.FAST_5FPS, Duration.ofSeconds(10))) {
            assertTrue(ingest.awaitEnd(Duration.ofSeconds(60)), "every camera ends");
            byCamera = ingest.statuses().stream().collect(Collectors.toMap(CameraStatus::camera, Function.identity()));
        }
        CameraStatus ok = byCamera.get("bad-good");
        assertEquals(CameraStatus.State.FINISHED, ok.state(), String.valueOf(ok.error()));
        assertEquals(15, ok.counts().sent(), "the good camera delivers everything");
        assertEquals(
                15,
                FramesTopic.assertContract(FramesTopic.read(bootstrap, "bad-good", 15), 160, 120)
                        .size());

        assertFailed(
                byCamera,
                "bad-missing=" + dir.resolve("missing.mp4"),
                "video file or image directory " + dir.resolve("missing.mp4") + " does not exist");
        assertFailed(
                byCamera,
                "bad-text",
                "cannot open " + text + ": Invalid data found when processing input (FFmpeg error");
        assertFailed(byCamera, "bad-trunc", "the file is truncated or damaged");
        assertFailed(
                byCamera,
                "bad-url",
                "http://127.0.0.1:" + closedPort + "/cam.mjpg is still unreachable after 2 reconnect attempts");
        assertFailed(byCamera, "bad-url", ": Connection refused (FFmpeg error");
        assertFailed(byCamera, "bad id!=" + good, "invalid camera id 'bad id!'");
        assertFailed(byCamera, "bad-option=" + good + ";colour=red", "unknown camera option 'colour'");

        CameraStatus trunc = byCamera.get("bad-trunc");
        assertTrue(
                trunc.counts().sent() > 0 && trunc.counts().sent() < 15,
                "frames before the damage are delivered: " + trunc.counts());
        assertEquals(
                trunc.counts().sent(),
                FramesTopic.read(bootstrap, "bad-trunc", (int) trunc.counts().sent())
                        .size());
    }

    private static void assertFailed(Map<String, CameraStatus> statuses, String camera, String expected) {
        CameraStatus s = statuses.get(camera);
        assertEquals(CameraStatus.State.FAILED, s.state(), camera);
        assertTrue(s.error().contains(expected), camera + ": " + s.error());
    }
}
