package io.facestream.ingest.source;

import io.facestream.ingest.camera.CameraOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Where a camera's frames come from. Written as the SOURCE of {@code ID=SOURCE}; {@link #of} tells the kinds apart. */
public sealed interface CameraSource permits VideoFileSource, LiveUrlSource, ImageDirectorySource, V4L2DeviceSource {
    List<String> LIVE_SCHEMES =
            List.of("rtsp://", "rtsps://", "http://", "https://", "rtmp://", "rtmps://", "udp://", "srt://", "tcp://");

    /** The source as written, for logs and errors. */
    String location();

    /** Whether capture time is the wall clock (live) rather than the recording's own time. */
    boolean live();

    /**
     * Delivers frames to the sink until the input ends (recorded input with {@code at-end: stop}), the sink says stop,
     * or the source fails.
     */
    void stream(CameraOptions options, FrameSink sink) throws SourceException;

    /**
     * Parses a source: a URL with a live scheme, {@code v4l2:/dev/videoN} (or {@code /dev/videoN}), a directory of
     * images, or a video file (optionally {@code file:}-prefixed).
     *
     * @throws IllegalArgumentException when the file, directory or device does not exist
     */
    static CameraSource of(String location) {
        String lower = location.toLowerCase(Locale.ROOT);
        if (LIVE_SCHEMES.stream().anyMatch(lower::startsWith)) {
            return new LiveUrlSource(location);
        }
        if (lower.startsWith("v4l2:") || lower.startsWith("/dev/video")) {
            Path device = Path.of(lower.startsWith("v4l2:") ? location.substring(5) : location);
            if (!Files.exists(device)) {
                throw new IllegalArgumentException("video device " + device + " does not exist");
            }
            return new V4L2DeviceSource(device);
        }
        if (lower.contains("://")) {
            throw new IllegalArgumentException(
                    "unsupported URL scheme in '" + location + "' (supported: " + String.join(" ", LIVE_SCHEMES) + ")");
        }
        Path path = Path.of(lower.startsWith("file:") ? location.substring(5) : location);
        if (Files.isDirectory(path)) {
            return new ImageDirectorySource(path);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("video file or image directory " + path + " does not exist");
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("video file " + path + " is not readable");
        }
        return new VideoFileSource(path);
    }
}
