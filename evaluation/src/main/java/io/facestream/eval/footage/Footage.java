package io.facestream.eval.footage;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facestream.eval.ijbs.protocol.Media;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The stills and videos of a data folder, decoded in ground-truth order: each image or frame that holds labelled
 * faces is handed over as an 8-bit BGR {@link Mat} with those faces. Frame indices are FFmpeg's decode order
 * ({@code grabImage}), the convention of {@code cs6_metadata.csv}'s FRAME column. A file that cannot be opened is an
 * error naming it; labelled frames past the decoded end of a video are counted in {@link Counts#missingFaces()}.
 */
public final class Footage {

    /** Receives one decoded image; the Mat is valid only during the call. */
    @FunctionalInterface
    public interface FrameVisitor {
        void frame(GroundTruth.MediaFaces media, int frame, Mat bgr, List<GroundTruthFace> faces);
    }

    /** @param missingFaces labelled faces whose frame the video did not have */
    public record Counts(int media, long framesDecoded, long facesDelivered, long missingFaces) {}

    static {
        // FFmpeg prints every container's stream info at the default level; a long evaluation should show progress only
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private final Path data;
    private final GroundTruth truth;

    public Footage(Path data, GroundTruth truth) {
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("data folder " + data + " does not exist");
        }
        this.data = data;
        this.truth = truth;
    }

    public GroundTruth truth() {
        return truth;
    }

    public Path data() {
        return data;
    }

    public Counts forEachFrame(FrameVisitor visitor) {
        long decoded = 0, delivered = 0, missing = 0;
        for (GroundTruth.MediaFaces m : truth.media()) {
            Path file = data.resolve(m.file());
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": media file listed in " + truth.file() + " does not exist");
            }
            if (m.media() instanceof Media.Still) {
                Mat image = imread(file.toString(), IMREAD_COLOR);
                if (image == null || image.empty()) {
                    throw new IllegalArgumentException(file + ": cannot decode still image");
                }
                try (image) {
                    List<GroundTruthFace> faces = m.byFrame().firstEntry().getValue();
                    visitor.frame(m, -1, image, faces);
                    decoded++;
                    delivered += faces.size();
                }
            } else {
                long[] r = video(file, m, visitor);
                decoded += r[0];
                delivered += r[1];
                missing += m.faces() - r[1];
            }
        }
        return new Counts(truth.media().size(), decoded, delivered, missing);
    }

    /** Decodes up to the last labelled frame; returns {frames decoded, faces delivered}. */
    private static long[] video(Path file, GroundTruth.MediaFaces m, FrameVisitor visitor) {
        int last = m.byFrame().lastKey();
        long decoded = 0, delivered = 0;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat convert = new OpenCVFrameConverter.ToMat()) {
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw new IllegalArgumentException(file + ": cannot open video: " + e.getMessage(), e);
            }
            for (int index = 0; index <= last; index++) {
                Frame f;
                try {
                    f = grabber.grabImage();
                } catch (FrameGrabber.Exception e) {
                    throw new IllegalArgumentException(
                            file + ": cannot decode frame " + index + ": " + e.getMessage(), e);
                }
                if (f == null) {
                    break;
                }
                decoded++;
                List<GroundTruthFace> faces = m.byFrame().get(index);
                if (faces != null) {
                    visitor.frame(m, index, convert.convert(f), faces);
                    delivered += faces.size();
                }
            }
            grabber.stop();
        } catch (FrameGrabber.Exception e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return new long[] {decoded, delivered};
    }
}
