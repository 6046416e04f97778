package io.facestream.ingest.camera;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * What one camera does with its frames. Defaults come from {@code ingest.*}; each camera may override any of them
 * ({@code cameras.<id>.fps}, or {@code ;fps=2} after the source on the command line).
 *
 * @param fps          frames per second kept; 0 keeps every frame
 * @param maxWidth     larger frames are downscaled keeping the aspect ratio; 0 = no limit
 * @param maxHeight    likewise for the height
 * @param jpegQuality  1..100
 * @param replay       pacing of recorded input
 * @param atEnd        stop or loop at the end of recorded input
 * @param imageFps     the frame rate an image directory stands for
 * @param readTimeout  a live read stalled this long counts as a lost connection
 * @param reconnect    bounded reconnection of live sources
 * @param format       an FFmpeg input format to force (e.g. {@code mpjpeg}), or empty to let FFmpeg probe
 */
public record CameraOptions(
        double fps,
        int maxWidth,
        int maxHeight,
        int jpegQuality,
        Replay replay,
        AtEnd atEnd,
        double imageFps,
        Duration readTimeout,
        Reconnect reconnect,
        String format) {
    public CameraOptions {
        if (!(fps >= 0) || fps > 1000) {
            throw new IllegalArgumentException("fps must be between 0 (every frame) and 1000, got " + fps);
        }
        if (maxWidth < 0 || maxHeight < 0) {
            throw new IllegalArgumentException(
                    "max-width/max-height must be >= 0 (0 = no limit), got " + maxWidth + "x" + maxHeight);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpeg-quality must be between 1 and 100, got " + jpegQuality);
        }
        if (!(imageFps > 0) || imageFps > 1000) {
            throw new IllegalArgumentException("image-fps must be above 0 and at most 1000, got " + imageFps);
        }
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read-timeout must be positive, got " + readTimeout);
        }
        format = format == null ? "" : format.trim();
    }

    public static CameraOptions fromConfig(FacestreamConfig c) {
        return new CameraOptions(
                c.getDouble("ingest.fps"),
                c.getInt("ingest.max-width"),
                c.getInt("ingest.max-height"),
                c.getInt("ingest.jpeg-quality"),
                Replay.parse(c.getString("ingest.replay")),
                AtEnd.parse(c.getString("ingest.at-end")),
                c.getDouble("ingest.image-fps"),
                c.getDuration("ingest.read-timeout"),
                new Reconnect(
                        c.getInt("ingest.reconnect.max-attempts"),
                        c.getDuration("ingest.reconnect.initial-backoff"),
                        c.getDuration("ingest.reconnect.max-backoff")),
                "");
    }

    /** A copy with one per-camera option changed; the key is the name used in config and on the command line. */
    public CameraOptions with(String key, String value) {
        String v = value.trim();
        Copy c = new Copy(this);
        try {
            switch (key.trim().toLowerCase(Locale.ROOT)) {
                case "fps" -> c.fps = Double.parseDouble(v);
                case "max-width" -> c.maxWidth = Integer.parseInt(v);
                case "max-height" -> c.maxHeight = Integer.parseInt(v);
                case "jpeg-quality" -> c.jpegQuality = Integer.parseInt(v);
                case "replay" -> c.replay = Replay.parse(v);
                case "at-end" -> c.atEnd = AtEnd.parse(v);
                case "image-fps" -> c.imageFps = Double.parseDouble(v);
                case "read-timeout" -> c.readTimeout = FacestreamConfig.parseDuration(v);
                case "reconnect-attempts" ->
                    c.reconnect =
                            new Reconnect(Integer.parseInt(v), reconnect.initialBackoff(), reconnect.maxBackoff());
                case "format" -> c.format = v;
                default ->
                    throw new IllegalArgumentException(
                            "unknown camera option '" + key + "' (known: fps, max-width, max-height, "
                                    + "jpeg-quality, replay, at-end, image-fps, read-timeout, reconnect-attempts, format)");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("camera option " + key + "='" + value + "' is not a number");
        }
        return c.options(); // validated by the constructor, as every CameraOptions is
    }

    public CameraOptions withReplay(Replay r) {
        Copy c = new Copy(this);
        c.replay = r;
        return c.options();
    }

    public CameraOptions withAtEnd(AtEnd a) {
        Copy c = new Copy(this);
        c.atEnd = a;
        return c.options();
    }

    public CameraOptions withFps(double f) {
        Copy c = new Copy(this);
        c.fps = f;
        return c.options();
    }

    public CameraOptions withReconnect(Reconnect r) {
        Copy c = new Copy(this);
        c.reconnect = r;
        return c.options();
    }

    /** The fields of a CameraOptions, to change one and build a new (validated) record: one place lists them all. */
    private static final class Copy {
        double fps;
        int maxWidth;
        int maxHeight;
        int jpegQuality;
        Replay replay;
        AtEnd atEnd;
        double imageFps;
        Duration readTimeout;
        Reconnect reconnect;
        String format;

        Copy(CameraOptions o) {
            fps = o.fps;
            maxWidth = o.maxWidth;
            maxHeight = o.maxHeight;
            jpegQuality = o.jpegQuality;
            replay = o.replay;
            atEnd = o.atEnd;
            imageFps = o.imageFps;
            readTimeout = o.readTimeout;
            reconnect = o.reconnect;
            format = o.format;
        }

        CameraOptions options() {
            return new CameraOptions(
                    fps, maxWidth, maxHeight, jpegQuality, replay, atEnd, imageFps, readTimeout, reconnect, format);
        }
    }

    /** The size a {@code width x height} frame is published at: within the limits, aspect kept, even dimensions. */
    public int[] fit(int width, int height) {
        double scale = 1.0;
        if (maxWidth > 0 && width > maxWidth) {
            scale = Math.min(scale, maxWidth / (double) width);
        }
        if (maxHeight > 0 && height > maxHeight) {
            scale = Math.min(scale, maxHeight / (double) height);
        }
        if (scale >= 1.0) {
            return new int[] {width, height};
        }
        // even sizes keep chroma-subsampled formats (and the JPEG encoder's 4:2:0 blocks) exact
        int w = Math.max(2, (int) Math.round(width * scale) & ~1);
        int h = Math.max(2, (int) Math.round(height * scale) & ~1);
        return new int[] {w, h};
    }
}
