package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFmpeg peer of {@code bench ingest}: the program JavaCV bundles doing the ingest's work on a real clip. */
class IngestBenchPeerTest {
    @Test
    void bundledFfmpegDecodesSamplesAndEncodesTheClip(@TempDir Path dir) throws Exception {
        Path clip = SyntheticClip.h264(dir.resolve("clip.mp4"), 320, 240, 25, 2);
        Path ffmpeg = IngestBenchCommand.bundledFfmpeg();
        assertTrue(Files.isExecutable(ffmpeg), ffmpeg + " is a program");
        IngestBenchCommand.Measurement m = IngestBenchCommand.ffmpegIngest(ffmpeg, clip, 2);
        assertEquals(50, m.decoded(), "every frame of the 2 s clip at 25 fps is decoded");
        assertEquals(10, m.delivered(), "fps=5 keeps 10 of them");
        assertTrue(m.seconds() > 0 && m.seconds() < 60, "timed by FFmpeg's own rtime: " + m.seconds());
        assertTrue(m.kilobytes() > 0, "MJPEG was encoded: " + m.kilobytes() + " kB");
        double finer = m.kilobytes();
        double coarser = IngestBenchCommand.ffmpegIngest(ffmpeg, clip, 10).kilobytes();
        assertTrue(coarser < finer, "a coarser -q:v writes fewer bytes: " + coarser + " vs " + finer);
    }

    @Test
    void qscaleFollowsJpegQuality() {
        assertEquals(1, IngestBenchCommand.ffmpegQscale(95));
        assertEquals(2, IngestBenchCommand.ffmpegQscale(90), "the ingest's default quality");
        assertEquals(3, IngestBenchCommand.ffmpegQscale(75));
        assertEquals(5, IngestBenchCommand.ffmpegQscale(50));
        assertThrows(IllegalArgumentException.class, () -> IngestBenchCommand.ffmpegQscale(0));
    }
}
