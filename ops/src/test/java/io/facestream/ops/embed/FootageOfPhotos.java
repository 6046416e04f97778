package io.facestream.ops.embed;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.embed.detect.Box;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Test footage with known ground truth: real photographs pasted onto a textured background and moved across it,
 * written as H.264 MP4. The ground-truth face box of each frame is the photo's own face box moved with the photo.
 */
final class FootageOfPhotos {
    /** One person in the footage: the photo, its face box within the photo, and the scale it is pasted at. */
    record Actor(String name, Mat photo, Box faceInPhoto, double scale) {}

    /** Where an actor's face is in frame {@code frame}. */
    record Truth(int frame, String actor, Box box) {}

    static List<Truth> write(Path mp4, List<Actor> actors, int frames, int width, int height, int fps)
            throws Exception {
        List<Truth> truth = new ArrayList<>();
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(mp4.toFile(), width, height, 0);
                OpenCVFrameConverter.ToMat conv = new OpenCVFrameConverter.ToMat()) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            rec.setFrameRate(fps);
            rec.setVideoOption("preset", "veryfast");
            rec.setVideoOption("crf", "20");
            rec.start();
            List<Mat> scaled = new ArrayList<>();
            for (Actor a : actors) {
                Mat s = new Mat();
                resize(a.photo(), s, new Size((int) Math.round(a.photo().cols() * a.scale()), (int)
                        Math.round(a.photo().rows() * a.scale())));
                scaled.add(s);
            }
            for (int f = 0; f < frames; f++) {
                try (Mat frame = background(width, height, f)) {
                    for (int i = 0; i < actors.size(); i++) {
                        Mat s = scaled.get(i);
                        // each actor walks along its own lane, left to right or right to left
                        double t = f / (double) Math.max(1, frames - 1);
                        int travel = width - s.cols();
                        int x = (int) Math.round(i % 2 == 0 ? t * travel : (1 - t) * travel);
                        int y = Math.min(height - s.rows(), i * (height - s.rows()) / Math.max(1, actors.size() - 1));
                        try (Mat roi = new Mat(frame, new Rect(x, y, s.cols(), s.rows()))) {
                            s.copyTo(roi);
                        }
                        Actor a = actors.get(i);
                        Box b = a.faceInPhoto();
                        truth.add(new Truth(
                                f,
                                a.name(),
                                new Box(
                                        (float) (x + b.x() * a.scale()),
                                        (float) (y + b.y() * a.scale()),
                                        (float) (b.width() * a.scale()),
                                        (float) (b.height() * a.scale()))));
                    }
                    rec.record(conv.convert(frame));
                }
            }
            scaled.forEach(Mat::close);
            rec.stop();
        }
        return truth;
    }

    /** A textured wall with a slow brightness drift, so the encoder has real work and no frame is blank. */
    private static Mat background(int width, int height, int frame) {
        byte[] px = new byte[width * height * 3];
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (90 + r.nextInt(60) + frame % 7);
        }
        Mat bg = new Mat(height, width, CV_8UC3);
        bg.data().put(px);
        return bg;
    }

    static double iou(Box a, Box b) {
        double x1 = Math.max(a.x(), b.x());
        double y1 = Math.max(a.y(), b.y());
        double x2 = Math.min(a.x() + a.width(), b.x() + b.width());
        double y2 = Math.min(a.y() + a.height(), b.y() + b.height());
        double inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
        return inter / (a.width() * a.height() + b.width() * b.height() - inter);
    }
}
