package io.facestream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Frame;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import io.facestream.ingest.camera.Reconnect;
import io.facestream.ingest.camera.Replay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Video files and image directories, ingested with sampling into the real frames topic. */
@KafkaBroker
class RecordedIngestTest {
    static final CameraOptions FAST_5FPS = new CameraOptions(
            5,
            160,
            0,
            85,
            Replay.FAST,
            AtEnd.STOP,
            10,
            Duration.ofSeconds(2),
            new Reconnect(3, Duration.ofMillis(100), Duration.ofMillis(400)),
            "");

    @TempDir
    Path dir;

    @Test
    void h264Mp4IsSampledToFiveFramesPerSecond(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        Path clip = TestClips.h264Mp4(dir.resolve("clip.mp4"), 75, 25, 320, 240);
        assertSampledClip(bootstrap, "rec-h264", clip);
    }

    @Test
    void mpeg4AviIsSampledToFiveFramesPerSecond(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        Path clip = TestClips.mpeg4Avi(dir.resolve("clip.avi"), 75, 25, 320, 240);
        assertSampledClip(bootstrap, "rec-mpeg4", clip);
    }

    private static void assertSampledClip(String bootstrap, String camera, Path clip) throws Exception {
        FramesTopic.create(bootstrap);
        try (IngestService ingest = IngestService.start(
                bootstrap, List.of(CameraRequest.parse(camera + "=" + clip)), FAST_5FPS, Duration.ofSeconds(10))) {
            assertTrue(ingest.awaitEnd(Duration.ofSeconds(60)));
            CameraStatus status = ingest.status(camera);
            assertEquals(CameraStatus.State.FINISHED, status.state(), String.valueOf(status.error()));
            assertEquals(75, status.counts().read());
            assertEquals(15, status.counts().sent());
            assertEquals(60, status.counts().skipped());
        }
        // 3 s at 25 fps sampled at 5 fps: every 5th frame, 200 ms apart, downscaled 320x240 -> 160x120
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 15), 160, 120);
        assertEquals(15, frames.size());
        assertColours(frames.getFirst());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(5L * i, frames.get(i).seq(), "seq of kept frame " + i);
            if (i > 0) {
                assertEquals(
                        200_000,
                        frames.get(i).captureMicros() - frames.get(i - 1).captureMicros(),
                        "stream-time spacing");
            }
        }
    }

    /** Colours survive decode -> I420 -> BGR -> JPEG: frame 0 is (40, 90, 160) on the left, (200, 60, 30) on the right. */
    private static void assertColours(Frame first) {
        int[] left = FramesTopic.bgrAt(first, 5, 5);
        int[] right = FramesTopic.bgrAt(first, 150, 5);
        assertTrue(
                Math.abs(left[0] - 40) < 20 && Math.abs(left[1] - 90) < 20 && Math.abs(left[2] - 160) < 20,
                "left colour " + java.util.Arrays.toString(left));
        assertTrue(
                Math.abs(right[0] - 200) < 20 && Math.abs(right[1] - 60) < 20 && Math.abs(right[2] - 30) < 20,
                "right colour " + java.util.Arrays.toString(right));
    }

    @Test
    void paddedDecoderRowsKeepTheirColours(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        Path clip = TestClips.mjpegAvi(dir.resolve("odd.avi"), 10, 25, 321, 241);
        String camera = "rec-padded";
        try (IngestService ingest = IngestService.start(
                bootstrap,
                List.of(CameraRequest.parse(camera + "=" + clip + ";fps=0")),
                FAST_5FPS,
                Duration.ofSeconds(10))) {
            assertTrue(ingest.awaitEnd(Duration.ofSeconds(60)));
            assertEquals(
                    CameraStatus.State.FINISHED,
                    ingest.status(camera).state(),
                    String.valueOf(ingest.status(camera).error()));
        }
        // MJPEG decodes 321x241 as 322x242 in rows padded to 384 bytes: the I420 planes are packed before encoding
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 10), 160, 120);
        assertEquals(10, frames.size());
        assertColours(frames.getFirst());
    }

    @Test
    void oddSizedVideoIsConvertedAndScaledByFfmpeg(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        Path clip = TestClips.rawNut(dir.resolve("odd.nut"), 10, 25, 321, 241);
        String camera = "rec-odd-raw";
        try (IngestService ingest = IngestService.start(
                bootstrap,
                List.of(CameraRequest.parse(camera + "=" + clip + ";fps=0")),
                FAST_5FPS,
                Duration.ofSeconds(10))) {
            assertTrue(ingest.awaitEnd(Duration.ofSeconds(60)));
            assertEquals(
                    CameraStatus.State.FINISHED,
                    ingest.status(camera).state(),
                    String.valueOf(ingest.status(camera).error()));
        }
        // 321x241 has no I420 layout: reopened with BGR output scaled by swscale to max-width 160 (aspect kept, even)
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 10), 160, 120);
        assertEquals(10, frames.size());
        assertColours(frames.getFirst());
    }

    @Test
    void imageDirectoryIsPlayedInNameOrderAtItsFrameRate(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        Path images = Files.createDirectory(dir.resolve("stills"));
        for (int i = 0; i < 20; i++) {
            TestClips.writeImage(
                    images.resolve(String.format("img-%03d.%s", i, i % 2 == 0 ? "png" : "jpg")), i, 200, 100);
        }
        Files.writeString(images.resolve("notes.txt"), "not an image, not listed");
        String camera = "rec-stills";
        // image-fps 10 sampled at 5 fps: every 2nd image, 200 ms apart; 200x100 -> 160x80
        try (IngestService ingest = IngestService.start(
                bootstrap, List.of(CameraRequest.parse(camera + "=" + images)), FAST_5FPS, Duration.ofSeconds(10))) {
            assertTrue(ingest.awaitEnd(Duration.ofSeconds(60)));
            CameraStatus status = ingest.status(camera);
            assertEquals(CameraStatus.State.FINISHED, status.state(), String.valueOf(status.error()));
            assertEquals(20, status.counts().read());
            assertEquals(10, status.counts().sent());
        }
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 10), 160, 80);
        assertEquals(10, frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(2L * i, frames.get(i).seq());
        }
        assertEquals(200_000, frames.get(1).captureMicros() - frames.get(0).captureMicros());
    }

    @Test
    void loopingKeepsCaptureTimeRisingAcrossPasses(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        FramesTopic.create(bootstrap);
        Path clip = TestClips.mpeg4Avi(dir.resolve("short.avi"), 10, 25, 64, 48);
        String camera = "rec-loop";
        try (IngestService ingest = IngestService.start(
                bootstrap,
                List.of(CameraRequest.parse(camera + "=" + clip + ";at-end=loop;fps=0")),
                FAST_5FPS,
                Duration.ofSeconds(10))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ingest.status(camera).counts().sent() < 35 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(CameraStatus.State.RUNNING, ingest.status(camera).state(), "a looping file keeps going");
        }
        List<Frame> frames = FramesTopic.assertContract(FramesTopic.read(bootstrap, camera, 35), 64, 48);
        assertTrue(frames.size() >= 35, "several passes: " + frames.size());
        assertEquals(
                40_000,
                frames.get(10).captureMicros() - frames.get(9).captureMicros(),
                "the next pass continues the clock");
    }
}
