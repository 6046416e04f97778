package io.facestream.embed.detect.gating;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.Nms;
import io.facestream.embed.detect.Point;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * Any detector, run only where a camera's faces can be: in the regions that moved ({@link MotionGate}) and/or
 * around the faces it found in the frames before ({@link TrackGate}), with the whole frame searched on the camera's
 * first frame and every {@code full-every}-th frame after, so that a face that entered still or between two tracks
 * is found within {@code full-every} frames.
 *
 * <p>Regions are grown by their margin (at least the detector's minimum face size), cut to the frame, merged where
 * they overlap, and searched as crops of the frame at full scale: MTCNN's minimum face size is in pixels, so a crop
 * searched unscaled finds the same faces as the full frame does there. A region whose shorter side is below the
 * minimum face size cannot hold a face the detector looks for and is skipped. When the regions cover more than
 * {@link #FULL_SHARE} of the frame, the frame is searched whole (as cheap, and exact). Boxes and landmarks are mapped
 * back to frame pixels; a face seen by two crops is kept once (the final NMS of MTCNN's last stage).
 *
 * <p>State is per stream (a camera); {@link #detect(String, long, Mat)} must see a stream's frames in order. A frame
 * whose sequence number is not above the stream's last one starts the stream over (a replay or a restart), and one
 * more than {@code full-every} frames after the last is searched whole. {@link #detect(Mat)} searches the whole image
 * and touches no state. Not thread-safe.
 */
public final class GatedDetector implements FaceDetector {
    /** Above this share of the frame's pixels in the regions, the whole frame is searched instead. */
    static final double FULL_SHARE = 0.6;

    /** Streams kept; the least recently seen is forgotten beyond it (its next frame is searched whole). */
    static final int MAX_STREAMS = 4096;

    /** NMS over the faces of all crops: intersection / smaller area, as MTCNN's final stage. */
    static final float MERGE_NMS = 0.7f;

    private final FaceDetector detector;
    private final GatingSettings settings;
    private final int minFace;
    private final Map<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);
    private long frames;
    private long fullFrames;
    private double searchedShare;

    /** What the gate did: frames seen through streams, of them searched whole, and the mean share of pixels searched. */
    public record Counters(long frames, long fullFrames, double searchedShare) {}

    private final class Stream implements AutoCloseable {
        final MotionGate motion = new MotionGate(settings.motionWidth(), settings.motionThreshold());
        final TrackGate tracks = new TrackGate(settings.tracksMargin(), settings.tracksKeep());
        long lastSeq = Long.MIN_VALUE;
        long sinceFull;
        int width = -1;
        int height = -1;

        @Override
        public void close() {
            motion.close();
        }
    }

    /**
     * @param detector the detector run on the full frame and on the crops; closed with this one
     * @param settings where to look
     * @param minFace  the smallest face side the detector looks for, pixels (see {@link #minFaceSize})
     */
    public GatedDetector(FaceDetector detector, GatingSettings settings, int minFace) {
        this.detector = detector;
        this.settings = settings;
        this.minFace = Math.max(1, minFace);
    }

    /** {@code detector} gated by {@code settings}, with the detector's own minimum face size. */
    public static GatedDetector of(FaceDetector detector, GatingSettings settings) {
        return new GatedDetector(detector, settings, minFaceSize(detector));
    }

    /**
     * The smallest face {@code detector} finds, pixels: MTCNN's {@code face.mtcnn.min-face-size}; 16 for others
     * (BlazeFace scales its input, so a smaller crop only makes its faces larger; below 16 px nothing is a face).
     */
    public static int minFaceSize(FaceDetector detector) {
        return detector instanceof MtcnnDetector m
                ? (int) Math.ceil(m.settings().minFaceSize())
                : 16;
    }

    public GatingSettings settings() {
        return settings;
    }

    public FaceDetector detector() {
        return detector;
    }

    @Override
    public String id() {
        return detector.id();
    }

    /** The whole image, no stream state: stills, replayed or late frames. */
    @Override
    public List<DetectedFace> detect(Mat bgr) {
        return detector.detect(bgr);
    }

    /**
     * The faces of frame {@code seq} of {@code stream}, searched where the gating settings say; by descending score.
     * With gating off, the whole frame.
     */
    public List<DetectedFace> detect(String stream, long seq, Mat bgr) {
        if (settings.mode() == GatingSettings.Mode.OFF) {
            return detector.detect(bgr);
        }
        Stream s = streams.get(stream);
        if (s == null) {
            s = new Stream();
            streams.put(stream, s);
            if (streams.size() > MAX_STREAMS) {
                var eldest = streams.entrySet().iterator().next();
                eldest.getValue().close();
                streams.remove(eldest.getKey());
            }
        }
        int w = bgr.cols();
        int h = bgr.rows();
        if (seq <= s.lastSeq || w != s.width || h != s.height) {
            restart(s);
            s.width = w;
            s.height = h;
        }
        boolean full = s.lastSeq == Long.MIN_VALUE
                || seq - s.lastSeq > settings.fullEvery()
                || s.sinceFull + 1 >= settings.fullEvery();
        s.lastSeq = seq;
        List<Region> candidates = new ArrayList<>();
        if (settings.mode().motion()) {
            for (Region r : s.motion.moved(bgr)) {
                Region g = r.grow(margin(r, settings.motionMargin()), w, h);
                if (g != null) {
                    candidates.add(g);
                }
            }
        }
        if (settings.mode().tracks()) {
            candidates.addAll(s.tracks.predicted(w, h));
        }
        List<Region> regions = full ? List.of() : regions(candidates, w, h);
        long searched = regions.stream().mapToLong(Region::area).sum();
        if (!full && searched > FULL_SHARE * w * h) {
            full = true;
        }
        List<DetectedFace> faces = full ? detector.detect(bgr) : detectIn(bgr, regions);
        s.sinceFull = full ? 0 : s.sinceFull + 1;
        if (settings.mode().tracks()) {
            s.tracks.update(faces);
        }
        frames++;
        fullFrames += full ? 1 : 0;
        searchedShare += full ? 1 : searched / ((double) w * h);
        return faces;
    }

    /** The grown regions merged, without those too small for a face; grown by the minimum face size first. */
    List<Region> regions(List<Region> grown, int w, int h) {
        List<Region> out = new ArrayList<>();
        for (Region r : Region.merge(grown)) {
            if (Math.min(r.width(), r.height()) >= minFace) {
                out.add(r);
            }
        }
        return out;
    }

    /** The border for a region: {@code fraction} of its larger side, never below the minimum face size. */
    private int margin(Region r, double fraction) {
        return Math.max(minFace, (int) Math.ceil(fraction * Math.max(r.width(), r.height())));
    }

    /** The detector on each region's crop (a view of the frame, unscaled), faces mapped back to frame pixels. */
    List<DetectedFace> detectIn(Mat bgr, List<Region> regions) {
        List<DetectedFace> all = new ArrayList<>();
        for (Region r : regions) {
            try (Rect rect = new Rect(r.x(), r.y(), r.width(), r.height());
                    Mat crop = new Mat(bgr, rect)) {
                for (DetectedFace f : detector.detect(crop)) {
                    all.add(shift(f, r.x(), r.y()));
                }
            }
        }
        if (regions.size() < 2) {
            return all;
        }
        float[][] corners = new float[all.size()][];
        float[] scores = new float[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Box b = all.get(i).box();
            corners[i] = new float[] {b.x(), b.y(), b.x() + b.width(), b.y() + b.height()};
            scores[i] = all.get(i).score();
        }
        List<DetectedFace> kept = new ArrayList<>();
        for (int k : Nms.greedy(corners, scores, MERGE_NMS, Nms.Overlap.MIN)) {
            kept.add(all.get(k));
        }
        return kept;
    }

    /** A face found in a crop whose top-left corner is at (dx, dy) of the frame, in frame pixels. */
    static DetectedFace shift(DetectedFace f, float dx, float dy) {
        Box b = f.box();
        List<Point> marks = new ArrayList<>(f.landmarks().size());
        for (Point p : f.landmarks()) {
            marks.add(new Point(p.x() + dx, p.y() + dy));
        }
        return new DetectedFace(new Box(b.x() + dx, b.y() + dy, b.width(), b.height()), f.score(), marks, f.source());
    }

    /** Forgets a stream: its next frame is searched whole. */
    public void reset(String stream) {
        Stream s = streams.remove(stream);
        if (s != null) {
            s.close();
        }
    }

    private static void restart(Stream s) {
        s.motion.reset();
        s.tracks.reset();
        s.lastSeq = Long.MIN_VALUE;
        s.sinceFull = 0;
    }

    public Counters counters() {
        return new Counters(frames, fullFrames, frames == 0 ? 0 : searchedShare / frames);
    }

    @Override
    public void close() {
        try {
            streams.values().forEach(Stream::close);
            streams.clear();
        } finally {
            detector.close();
        }
    }
}
