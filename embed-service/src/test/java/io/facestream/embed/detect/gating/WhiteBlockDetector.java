package io.facestream.embed.detect.gating;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Point;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A detector whose "faces" are white blocks (every pixel above 240) of at least 8 px, with landmarks at fixed places
 * of the block: exact and cheap, so the gate's geometry can be checked to the pixel. Records the size of every image
 * it searched.
 */
final class WhiteBlockDetector implements FaceDetector {
    final List<int[]> searched = new ArrayList<>();

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        searched.add(new int[] {bgr.cols(), bgr.rows()});
        List<DetectedFace> out = new ArrayList<>();
        try (Mat grey = new Mat();
                Mat mask = new Mat();
                Mat labels = new Mat();
                Mat stats = new Mat();
                Mat centroids = new Mat()) {
            cvtColor(bgr, grey, COLOR_BGR2GRAY);
            threshold(grey, mask, 240, 255, THRESH_BINARY);
            int n = connectedComponentsWithStats(mask, labels, stats, centroids);
            try (IntIndexer s = stats.createIndexer()) {
                for (int i = 1; i < n; i++) {
                    float x = s.get(i, 0), y = s.get(i, 1), w = s.get(i, 2), h = s.get(i, 3);
                    if (w >= 8 && h >= 8) {
                        out.add(new DetectedFace(
                                new Box(x, y, w, h),
                                0.99f,
                                List.of(
                                        new Point(x + 0.3f * w, y + 0.4f * h),
                                        new Point(x + 0.7f * w, y + 0.4f * h),
                                        new Point(x + 0.5f * w, y + 0.6f * h),
                                        new Point(x + 0.35f * w, y + 0.8f * h),
                                        new Point(x + 0.65f * w, y + 0.8f * h)),
                                LandmarkSource.MEASURED));
                    }
                }
            }
        }
        return out;
    }

    /** Images searched whole (of the given frame size) since the last call. */
    int fullSearches(int w, int h) {
        int n = (int) searched.stream().filter(s -> s[0] == w && s[1] == h).count();
        return n;
    }

    @Override
    public String id() {
        return "white-blocks";
    }
}
