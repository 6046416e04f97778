package io.facestream.ingest.source;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import io.facestream.ingest.camera.CameraOptions;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One open FFmpeg input (file, URL or device) and the decode loop all FFmpeg-backed sources share.
 *
 * <p>Speed: for recorded input the loop predicts the next frame's time and asks the sink whether it would be kept;
 * frames that will be dropped are decoded (the codec needs them as references) but never colour-converted, scaled or
 * JPEG-encoded. Kept frames leave the decoder as I420 (a plain copy of the decoder's picture); converting to BGR,
 * scaling to the camera's size limit and JPEG encoding happen on the encoder threads.
 */
final class FfmpegStream implements AutoCloseable {
    /** Live probing: FFmpeg's default (5 s / 5 MB) would hold a 320x240 MJPEG stream for many seconds before the first frame. */
    private static final String LIVE_ANALYZE_MICROS = "1000000";

    private static final String LIVE_PROBE_BYTES = "1000000";

    static {
        // FFmpeg logs every stream header and per-frame warnings to stderr; the service reports what matters itself
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private final FFmpegFrameGrabber grabber;
    private final String input;
    private final long nominalIntervalMicros;
    /** I420 at the source's size (scaled later, on an encoder thread), or BGR already scaled by swscale. */
    private final boolean planar;

    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();

    private FfmpegStream(FFmpegFrameGrabber grabber, String input, boolean planar) {
        this.grabber = grabber;
        this.input = input;
        this.planar = planar;
        double rate = grabber.getFrameRate();
        this.nominalIntervalMicros = rate > 0 && rate < 1000 ? Math.round(1_000_000 / rate) : 40_000;
    }

    /** Opens an input; {@code live} adds read timeouts and quick probing. */
    static FfmpegStream open(String input, String format, CameraOptions options, boolean live) throws SourceException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(input);
        if (!format.isEmpty()) {
            g.setFormat(format);
        }
        g.setVideoOption("threads", "auto");
        // I420 out of swscale is a near-copy of what decoders produce; the BGR conversion and any downscaling then run
        // on an encoder thread, off the decode path. (Set before start: the output buffer is laid out for this format.)
        g.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        if (live) {
            String timeout = Long.toString(options.readTimeout().toMillis() * 1000);
            g.setOption("rw_timeout", timeout);
            if (input.startsWith("rtsp")) {
                // TCP interleaving: no lost UDP packets on busy networks, and a dead server is noticed
                g.setOption("rtsp_transport", "tcp");
                g.setOption("timeout", timeout);
            }
            g.setOption("analyzeduration", LIVE_ANALYZE_MICROS);
            g.setOption("probesize", LIVE_PROBE_BYTES);
        }
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(g);
            throw new SourceException("cannot open " + input + ": " + FfmpegErrors.describe(e));
        }
        if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            release(g);
            throw new SourceException(
                    input + " has no video stream" + (g.getFormat() == null ? "" : " (format " + g.getFormat() + ")"));
        }
        if (g.getImageWidth() % 2 != 0 || g.getImageHeight() % 2 != 0) {
            // odd sizes have no exact I420 layout: reopen with BGR output, scaled by swscale to the camera's limit
            int[] size = options.fit(g.getImageWidth(), g.getImageHeight());
            try {
                g.stop();
                g.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
                g.setImageWidth(size[0]);
                g.setImageHeight(size[1]);
                g.start();
            } catch (FrameGrabber.Exception | RuntimeException e) {
                release(g);
                throw new SourceException("cannot reopen " + input + ": " + FfmpegErrors.describe(e));
            }
            return new FfmpegStream(g, input, false);
        }
        return new FfmpegStream(g, input, true);
    }

    /** The container's declared duration in µs, or 0 when it does not say (live streams, some formats). */
    long declaredMicros() {
        return Math.max(0, grabber.getLengthInTime());
    }

    long nominalIntervalMicros() {
        return nominalIntervalMicros;
    }

    /**
     * Decodes until the end of input or a stop.
     *
     * @param toCapture maps a frame's stream time (µs) to its capture time (epoch µs); ignored when {@code live}
     * @param live      capture time is the wall clock when the frame arrives, and every frame is converted
     */
    Pass pump(FrameSink sink, LongUnaryOperator toCapture, Pacer pacer, boolean live) throws SourceException {
        long frames = 0;
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        long interval = nominalIntervalMicros;
        while (!sink.stopping()) {
            boolean convert =
                    live || last == Long.MIN_VALUE || sink.wants(toCapture.applyAsLong(last + interval + interval / 2));
            Frame f;
            try {
                f = grabber.grabFrame(false, true, convert, false, false);
            } catch (FrameGrabber.Exception | RuntimeException e) {
                throw new SourceException("decoding " + input + " failed after " + frames + " frames"
                        + (last == Long.MIN_VALUE ? "" : String.format(" at %.2f s", (last - first) / 1e6)) + ": "
                        + FfmpegErrors.describe(e));
            }
            if (f == null) {
                break;
            }
            if (f.image == null) {
                continue;
            }
            long streamTs = f.timestamp;
            if (first == Long.MIN_VALUE) {
                first = streamTs;
            } else if (streamTs > last) {
                interval = streamTs - last;
            }
            long capture = live ? WallClock.micros() : toCapture.applyAsLong(streamTs);
            pacer.await(capture, sink);
            if (convert && sink.wants(capture)) {
                sink.accept(picture(f), capture);
            } else {
                sink.skipped(capture);
            }
            last = Math.max(last, streamTs);
            frames++;
        }
        return new Pass(frames, first, last, interval);
    }

    /**
     * The grabber's I420 output as one packed {@code height*3/2 x width} Mat. FFmpeg lays the Y, U and V planes out back
     * to back but may pad each row for alignment (e.g. 322 pixels stored in 384 bytes); the chroma row size follows from
     * the buffer's size, and padded planes are packed here.
     */
    private Picture picture(Frame f) {
        if (!planar) {
            return new Picture(converter.convert(f), Picture.Layout.BGR);
        }
        ByteBuffer pixels = (ByteBuffer) f.image[0];
        int w = f.imageWidth;
        int h = f.imageHeight;
        int yStride = f.imageStride;
        int cStride = (int) ((pixels.capacity() - (long) yStride * h) / h);
        BytePointer data = new BytePointer(pixels);
        if (yStride == w && cStride == w / 2) {
            return new Picture(new Mat(h * 3 / 2, w, CV_8UC1, data), Picture.Layout.I420);
        }
        if (cStride < w / 2) {
            throw new IllegalStateException("unexpected I420 layout from " + input + ": " + w + "x" + h + ", Y stride "
                    + yStride + ", buffer " + pixels.capacity() + " bytes");
        }
        Mat packed = new Mat(h * 3 / 2, w, CV_8UC1);
        BytePointer out = packed.data();
        copyPlane(data, 0, yStride, out, 0, w, w, h);
        copyPlane(data, (long) yStride * h, cStride, out, (long) w * h, w / 2, w / 2, h / 2);
        copyPlane(
                data,
                (long) yStride * h + (long) cStride * (h / 2),
                cStride,
                out,
                (long) w * h + (long) (w / 2) * (h / 2),
                w / 2,
                w / 2,
                h / 2);
        return new Picture(packed, Picture.Layout.I420);
    }

    private static void copyPlane(
            BytePointer src,
            long srcOffset,
            int srcStride,
            BytePointer dst,
            long dstOffset,
            int dstStride,
            int width,
            int rows) {
        try (Mat from = new Mat(rows, width, CV_8UC1, new BytePointer(src).position(srcOffset), srcStride);
                Mat to = new Mat(rows, width, CV_8UC1, new BytePointer(dst).position(dstOffset), dstStride)) {
            from.copyTo(to);
        }
    }

    /** What one pass over the input read: frame count and first/last stream times (µs). */
    record Pass(long frames, long firstMicros, long lastMicros, long intervalMicros) {
        long coveredMicros() {
            return frames == 0 ? 0 : lastMicros - firstMicros + intervalMicros;
        }
    }

    @Override
    public void close() {
        release(grabber);
        converter.close();
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (Exception e) {
            // closing a broken input may fail again; the original error is what matters
        }
    }
}
