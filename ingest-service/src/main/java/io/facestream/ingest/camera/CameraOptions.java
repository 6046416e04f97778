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
        try {
            return switch (key.trim().toLowerCase(Locale.ROOT)) {
                case "fps" ->
                    new CameraOptions(
                            Double.parseDouble(v),
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            replay,
                            atEnd,
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "max-width" ->
                    new CameraOptions(
                            fps,
                            Integer.parseInt(v),
                            maxHeight,
                            jpegQuality,
                            replay,
                            atEnd,
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "max-height" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            Integer.parseInt(v),
                            jpegQuality,
                            replay,
                            atEnd,
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "jpeg-quality" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            Integer.parseInt(v),
                            replay,
                            atEnd,
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "replay" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            Replay.parse(v),
                            atEnd,
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "at-end" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            replay,
                            AtEnd.parse(v),
                            imageFps,
                            readTimeout,
                            reconnect,
                            format);
                case "image-fps" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            replay,
                            atEnd,
                            Double.parseDouble(v),
                            readTimeout,
                            reconnect,
                            format);
                case "read-timeout" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            replay,
                            atEnd,
                            imageFps,
                            FacestreamConfig.parseDuration(v),
                            reconnect,
                            format);
                case "reconnect-attempts" ->
                    new CameraOptions(
                            fps,
                            maxWidth,
                            maxHeight,
                            jpegQuality,
                            replay,
                            atEnd,
                            imageFps,
                            readTimeout,
                            new Reconnect(Integer.parseInt(v), reconnect.initialBackoff(), reconnect.maxBackoff()),
                            format);
                case "format" ->
                    new CameraOptions(
                            fps, maxWidth, maxHeight, jpegQuality, replay, atEnd, imageFps, readTimeout, reconnect, v);
                default ->
                    throw new IllegalArgumentException(
                            "unknown camera option '" + key + "' (known: fps, max-width, max-height, "
                                    + "jpeg-quality, replay, at-end, image-fps, read-timeout, reconnect-attempts, format)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("camera option " + key + "='" + value + "' is not a number");
        }
    }

    public CameraOptions withReplay(Replay r) {
        return new CameraOptions(
                fps, maxWidth, maxHeight, jpegQuality, r, atEnd, imageFps, readTimeout, reconnect, format);
    }

    public CameraOptions withAtEnd(AtEnd a) {
        return new CameraOptions(
                fps, maxWidth, maxHeight, jpegQuality, replay, a, imageFps, readTimeout, reconnect, format);
    }

    public CameraOptions withFps(double f) {
        return new CameraOptions(
                f, maxWidth, maxHeight, jpegQuality, replay, atEnd, imageFps, readTimeout, reconnect, format);
    }

    public CameraOptions withReconnect(Reconnect r) {
        return new CameraOptions(
                fps, maxWidth, maxHeight, jpegQuality, replay, atEnd, imageFps, readTimeout, r, format);
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
