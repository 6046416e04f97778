package io.facestream.ingest.source;

import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.Replay;
import java.nio.file.Path;

/**
 * A recorded video in any container and codec FFmpeg reads. Capture time is the start of ingest plus the frame's
 * stream time, continued across loops so it never goes back.
 */
public record VideoFileSource(Path file) implements CameraSource {
    /** A file may end a little before its declared duration (rounding, a missing last frame); more is damage. */
    private static final int TRUNCATION_SLACK_FRAMES = 2;

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    public boolean live() {
        return false;
    }

    @Override
    public void stream(CameraOptions options, FrameSink sink) throws SourceException {
        Pacer pacer = new Pacer(options.replay() == Replay.REALTIME);
        long nextCapture = WallClock.micros();
        do {
            try (FfmpegStream in = FfmpegStream.open(file.toString(), options.format(), options, false)) {
                long passStart = nextCapture;
                long[] firstTs = {Long.MIN_VALUE};
                FfmpegStream.Pass pass = in.pump(
                        sink,
                        ts -> {
                            if (firstTs[0] == Long.MIN_VALUE) {
                                firstTs[0] = ts;
                            }
                            return passStart + (ts - firstTs[0]);
                        },
                        pacer,
                        false);
                if (sink.stopping()) {
                    return;
                }
                if (pass.frames() == 0) {
                    throw new SourceException(file + " has a video stream but no decodable frame");
                }
                long declared = in.declaredMicros();
                if (declared > 0 && pass.coveredMicros() + TRUNCATION_SLACK_FRAMES * pass.intervalMicros() < declared) {
                    throw new SourceException(String.format(
                            "%s ends at %.2f s but its container declares %.2f s: the file is "
                                    + "truncated or damaged (%d frames before the damage were read)",
                            file, pass.coveredMicros() / 1e6, declared / 1e6, pass.frames()));
                }
                nextCapture = passStart + pass.coveredMicros();
            }
        } while (options.atEnd() == AtEnd.LOOP && !sink.stopping());
    }
}
