package io.facestream.ingest;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Real clips encoded by FFmpeg for the tests: a moving box and the frame number on a changing background. */
final class TestClips {
    private TestClips() {}

    static Path h264Mp4(Path file, int frames, int fps, int width, int height) throws Exception {
        return record(file, "mp4", avcodec.AV_CODEC_ID_H264, frames, fps, width, height);
    }

    static Path mpeg4Avi(Path file, int frames, int fps, int width, int height) throws Exception {
        return record(file, "avi", avcodec.AV_CODEC_ID_MPEG4, frames, fps, width, height);
    }

    /** Motion JPEG in AVI: the codec that allows odd frame sizes. */
    static Path mjpegAvi(Path file, int frames, int fps, int width, int height) throws Exception {
        return record(file, "avi", avcodec.AV_CODEC_ID_MJPEG, frames, fps, width, height);
    }

    /** Uncompressed BGR in NUT (FFmpeg's own container): keeps odd frame sizes exactly. */
    static Path rawNut(Path file, int frames, int fps, int width, int height) throws Exception {
        return record(file, "nut", avcodec.AV_CODEC_ID_RAWVIDEO, frames, fps, width, height);
    }

    private static Path record(Path file, String format, int codec, int frames, int fps, int width, int height)
            throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            r.setFormat(format);
            r.setVideoCodec(codec);
            r.setFrameRate(fps);
            r.setPixelFormat(
                    switch (codec) {
                        case avcodec.AV_CODEC_ID_MJPEG -> avutil.AV_PIX_FMT_YUVJ444P;
                        case avcodec.AV_CODEC_ID_RAWVIDEO -> avutil.AV_PIX_FMT_BGR24;
                        default -> avutil.AV_PIX_FMT_YUV420P;
                    });
            r.setGopSize(fps);
            if (codec == avcodec.AV_CODEC_ID_H264) {
                r.setVideoOption("preset", "ultrafast");
                r.setVideoOption("crf", "28");
                // the index first, so a truncated copy still opens and its first frames decode
                r.setOption("movflags", "+faststart");
            } else {
                r.setVideoBitrate(1_000_000);
            }
            r.start();
            for (int i = 0; i < frames; i++) {
                try (Mat m = picture(i, width, height)) {
                    r.record(converter.convert(m));
                }
            }
            r.stop();
        }
        return file;
    }

    /** Left half B,G,R = (40+7i, 90, 160-3i), right half (200, 60, 30): a layout mistake in chroma planes mixes them. */
    static Mat picture(int i, int width, int height) {
        Mat m = new Mat(height, width, opencv_core.CV_8UC3, new Scalar(40 + (i * 7) % 180, 90, 160 - (i * 3) % 120, 0));
        rectangle(m, new Point(width / 2, 0), new Point(width, height), new Scalar(200, 60, 30, 0), -1, 8, 0);
        int x = (i * 9) % Math.max(1, width - 40);
        rectangle(
                m,
                new Point(x, height / 3),
                new Point(x + 40, height / 3 + 40),
                new Scalar(255, 255, 255, 0),
                -1,
                8,
                0);
        putText(
                m,
                Integer.toString(i),
                new Point(10, height - 10),
                FONT_HERSHEY_SIMPLEX,
                1.0,
                new Scalar(0, 0, 0, 0),
                2,
                8,
                false);
        return m;
    }

    static void writeImage(Path file, int i, int width, int height) {
        try (Mat m = picture(i, width, height)) {
            if (!imwrite(file.toString(), m)) {
                throw new IllegalStateException("cannot write " + file);
            }
        }
    }
}
