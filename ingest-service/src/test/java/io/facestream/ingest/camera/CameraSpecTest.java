package io.facestream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.ingest.source.ImageDirectorySource;
import io.facestream.ingest.source.LiveUrlSource;
import io.facestream.ingest.source.VideoFileSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CameraSpecTest {
    @TempDir
    Path dir;

    private final CameraOptions defaults =
            CameraOptions.fromConfig(FacestreamConfig.builder().isolated().build());

    @Test
    void sourcesAreToldApartAndOptionsOverrideTheDefaults() throws Exception {
        Path clip = Files.writeString(dir.resolve("a.mp4"), "x");
        CameraSpec file = CameraSpec.parse(
                "lobby=" + clip + ";fps=2;max-width=640;jpeg-quality=70;replay=fast;at-end=loop", defaults);
        assertEquals("lobby", file.id().value());
        assertInstanceOf(VideoFileSource.class, file.source());
        assertEquals(2, file.options().fps());
        assertEquals(640, file.options().maxWidth());
        assertEquals(defaults.maxHeight(), file.options().maxHeight());
        assertEquals(70, file.options().jpegQuality());
        assertEquals(Replay.FAST, file.options().replay());
        assertEquals(AtEnd.LOOP, file.options().atEnd());

        assertInstanceOf(
                ImageDirectorySource.class,
                CameraSpec.parse("stills=" + dir, defaults).source());
        CameraSpec rtsp = CameraSpec.parse("door=rtsp://user:pw@10.0.0.7:554/stream1?channel=1", defaults);
        assertEquals(new LiveUrlSource("rtsp://user:pw@10.0.0.7:554/stream1?channel=1"), rtsp.source());
        assertEquals(defaults, rtsp.options());
    }

    @Test
    void badDefinitionsSayWhatIsWrong() {
        assertMessage("lobby", "camera 'lobby': no source: expected ID=SOURCE");
        assertMessage("my cam=/x.mp4", "invalid camera id 'my cam'");
        assertMessage("=/x.mp4", "camera id is empty");
        assertMessage("cam=/no/such/file.mp4", "video file or image directory /no/such/file.mp4 does not exist");
        assertMessage("cam=ftp://host/x.mp4", "unsupported URL scheme in 'ftp://host/x.mp4'");
        assertMessage("cam=v4l2:/dev/video97", "video device /dev/video97 does not exist");
        assertMessage("cam=http://h/x;fps=fast", "camera option fps='fast' is not a number");
        assertMessage("cam=http://h/x;jpeg-quality=0", "jpeg-quality must be between 1 and 100");
        assertMessage("cam=http://h/x;replay=slow", "replay 'slow' is neither 'realtime' nor 'fast'");
    }

    private void assertMessage(String text, String expected) {
        var e = assertThrows(InvalidCameraException.class, () -> CameraSpec.parse(text, defaults));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void configSectionGivesOneRequestPerCamera() {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("cameras.lobby", "/footage/lobby.mp4")
                .flag("cameras.door.source", "rtsp://cam/door")
                .flag("cameras.door.fps", 2)
                .build();
        List<CameraRequest> requests = CameraRequest.fromConfigSection(config.section("cameras"));
        assertEquals(2, requests.size());
        assertEquals(new CameraRequest("cameras.door", "door", "rtsp://cam/door", Map.of("fps", "2")), requests.get(0));
        assertEquals(new CameraRequest("cameras.lobby", "lobby", "/footage/lobby.mp4", Map.of()), requests.get(1));
        assertEquals(2, CameraSpec.resolve(requests.get(0), defaults).options().fps());
    }

    @Test
    void downscaleKeepsAspectAndEvenSizes() {
        CameraOptions o = defaults.with("max-width", "640").with("max-height", "480");
        assertArrayEquals(new int[] {640, 360}, o.fit(1920, 1080));
        assertArrayEquals(new int[] {360, 480}, o.fit(1080, 1440));
        assertArrayEquals(new int[] {320, 240}, o.fit(320, 240), "smaller frames are never upscaled");
        assertArrayEquals(
                new int[] {4000, 3000},
                defaults.with("max-width", "0").with("max-height", "0").fit(4000, 3000));
    }

    @Test
    void samplerKeepsFramesByCaptureTime() {
        FrameSampler s = new FrameSampler(5);
        int kept = 0;
        // 30 fps with rounded timestamps: every 6th frame
        for (int i = 0; i < 90; i++) {
            long ts = Math.round(i * 1_000_000 / 30.0);
            if (s.due(ts)) {
                s.took(ts);
                kept++;
                assertEquals(0, i % 6, "frame " + i);
            }
        }
        assertEquals(15, kept);
        FrameSampler all = new FrameSampler(0);
        assertTrue(all.due(0) && all.due(0));
        FrameSampler afterGap = new FrameSampler(5);
        afterGap.took(0);
        afterGap.took(10_000_000); // 10 s gap: the next slot is 200 ms after the frame, not a burst of catch-up frames
        assertFalse(afterGap.due(10_100_000));
        assertTrue(afterGap.due(10_200_000));
    }

    @Test
    void reconnectBackoffDoublesUpToItsCap() {
        Reconnect r = new Reconnect(5, Duration.ofMillis(500), Duration.ofSeconds(3));
        assertEquals(
                List.of(500L, 1000L, 2000L, 3000L, 3000L),
                List.of(1, 2, 3, 4, 5).stream()
                        .map(a -> r.backoff(a).toMillis())
                        .toList());
    }
}
