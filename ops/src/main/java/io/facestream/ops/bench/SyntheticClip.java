package io.facestream.ops.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A 1080p H.264 (libx264, High profile, B-frames) clip for the ingest benchmark: a textured background with moving
 * shapes and a frame counter, so the encoder has real motion and detail to code, as surveillance footage does.
 */
final class SyntheticClip {
    private SyntheticClip() {}

    static Path h264(Path file, int width, int height, int fps, int seconds) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".part");
        try (Mat texture = new Mat(height, width, CV_8UC3);
                Mat frame = new Mat();
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                FFmpegFrameRecorder r = new FFmpegFrameRecorder(partial.toFile(), width, height, 0)) {
            byte[] noise = new byte[width * height * 3];
            new java.util.Random(42).nextBytes(noise);
            texture.data().put(noise);
            GaussianBlur(texture, texture, new Size(9, 9), 3);
            r.setFormat("mp4");
            r.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setGopSize(2 * fps);
            r.setVideoOption("preset", "veryfast");
            r.setVideoOption("crf", "23");
            r.start();
            int frames = fps * seconds;
            for (int i = 0; i < frames; i++) {
                texture.copyTo(frame);
                for (int k = 0; k < 6; k++) {
                    int x = (i * (7 + 3 * k) + k * 300) % (width - 200);
                    int y = (int) (height / 2 + Math.sin((i + 20 * k) / 15.0) * height / 3);
                    rectangle(
                            frame,
                            new Point(x, y - 60),
                            new Point(x + 160, y + 60),
                            new Scalar(40 * k, 200 - 30 * k, 120, 0),
                            -1,
                            8,
                            0);
                    circle(frame, new Point(width - x - 80, y), 50, new Scalar(230, 40 * k, 90, 0), -1, 8, 0);
                }
                putText(
                        frame,
                        "frame " + i,
                        new Point(60, 120),
                        FONT_HERSHEY_SIMPLEX,
                        3.0,
                        new Scalar(255, 255, 255, 0),
                        6,
                        8,
                        false);
                r.record(converter.convert(frame));
                if (i % (5 * fps) == 0) {
                    System.out.printf(
                            "bench ingest: encoding the %dx%d clip, frame %d of %d%n", width, height, i, frames);
                }
            }
            r.stop();
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
