package io.facestream.ops.bench;

import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.gating.GatedDetector;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.GroundTruthFace;
import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.protocol.Media;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One pass of one configuration over the surveillance videos of a data set, as a camera's embed worker would do it:
 * decode every frame, detect, align every detection (its own 5 landmarks), embed every aligned face. The CPU time
 * of the calling thread is taken around each stage; everything runs on that thread (FFmpeg with one decoder thread,
 * ONNX Runtime with one intra-op thread, OpenCV's own pool switched off by the caller), so the sum is the CPU cost
 * of a frame. Each video is one camera: its frames are detected in order, through the configuration's gating
 * ({@code face.gating.*}, state per camera, forgotten after the video). Detections are matched to the ground truth ({@link DetectionMatch}); a matched face's feature is kept
 * under the ground-truth face's name, for the IJB-S scoring of exactly what this configuration found.
 */
final class CameraPass {
    /** CPU nanoseconds of the four stages, summed over the frames of a pass. */
    record Stages(long decode, long detect, long align, long embed) {
        long total() {
            return decode + detect + align + embed;
        }
    }

    /**
     * @param frames     frames decoded (every frame of every video, with or without faces)
     * @param score      the detections against the ground truth
     * @param faces      features of the matched faces, named as the ground-truth face
     * @param boxes      every detection's box, per frame in decoding order (to compare engines frame by frame)
     */
    record Result(long frames, Stages cpu, PassScore score, List<Face> faces, List<List<Box>> boxes) {
        double msPerFrame() {
            return cpu.total() / 1e6 / frames;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final GatedDetector detector;
    private final FaceEmbedder embedder;
    private final FaceAligner aligner = new FaceAligner();
    private final double gradedSide;

    CameraPass(GatedDetector detector, FaceEmbedder embedder, double gradedSide) {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time; bench cameras needs it");
        }
        this.detector = detector;
        this.embedder = embedder;
        this.gradedSide = gradedSide;
    }

    GatedDetector detector() {
        return detector;
    }

    Result run(Path data, GroundTruth truth) {
        long[] ns = new long[4];
        long[] frames = {0};
        PassScore[] score = {PassScore.NONE};
        List<Face> faces = new ArrayList<>();
        List<List<Box>> boxes = new ArrayList<>();
        decode(data, truth, new Frames() {
            @Override
            public void frame(GroundTruth.MediaFaces m, String stream, int index, Mat bgr, long decodeNs) {
                long t1 = THREADS.getCurrentThreadCpuTime();
                List<DetectedFace> detected = detector.detect(stream, index, bgr);
                long t2 = THREADS.getCurrentThreadCpuTime();
                List<Mat> crops = new ArrayList<>(detected.size());
                for (DetectedFace d : detected) {
                    crops.add(aligner.align(bgr, d));
                }
                long t3 = THREADS.getCurrentThreadCpuTime();
                List<Embedding> embeddings = new ArrayList<>(crops.size());
                for (int i = 0; i < crops.size(); i += embedder.maxBatch()) {
                    embeddings.addAll(
                            embedder.embed(crops.subList(i, Math.min(crops.size(), i + embedder.maxBatch()))));
                }
                long t4 = THREADS.getCurrentThreadCpuTime();
                crops.forEach(Mat::close);
                ns[0] += decodeNs;
                ns[1] += t2 - t1;
                ns[2] += t3 - t2;
                ns[3] += t4 - t3;
                frames[0]++;

                List<GroundTruthFace> truthFaces = m.byFrame().getOrDefault(index, List.of());
                List<Box> frameBoxes = detected.stream().map(DetectedFace::box).toList();
                boxes.add(frameBoxes);
                DetectionMatch match = DetectionMatch.of(
                        frameBoxes,
                        truthFaces.stream().map(GroundTruthFace::box).toList(),
                        gradedSide);
                score[0] = score[0].plus(match);
                for (int d = 0; d < detected.size(); d++) {
                    int t = match.truthFor()[d];
                    if (t >= 0) {
                        GroundTruthFace g = truthFaces.get(t);
                        faces.add(new Face(g.path(), embeddings.get(d).raw(), g.side()));
                    }
                }
            }

            @Override
            public void end(String stream, long decodeNs) {
                ns[0] += decodeNs;
                detector.reset(stream);
            }
        });
        if (frames[0] == 0) {
            throw new IllegalArgumentException(data + " has no video frames to measure (" + truth.file() + ")");
        }
        return new Result(frames[0], new Stages(ns[0], ns[1], ns[2], ns[3]), score[0], faces, boxes);
    }

    /** What is done with each decoded frame of a data set ({@link #decode}). */
    interface Frames {
        /**
         * @param video    the video and its ground truth
         * @param stream   the video's name for the detector (its gating state is per stream)
         * @param index    the frame's index in its video
         * @param bgr      the frame, valid until this returns
         * @param decodeNs CPU time of the calling thread spent grabbing and converting this frame
         */
        void frame(GroundTruth.MediaFaces video, String stream, int index, Mat bgr, long decodeNs);

        /** After a video's last frame, or its failure: {@code decodeNs} of the grab that found its end. */
        default void end(String stream, long decodeNs) {}
    }

    /**
     * Every video frame of {@code data}, videos in ground-truth order, decoded to BGR as every engine's frames are
     * ({@link #grabber}): our passes and the frames handed to a peer ({@link PeerFrames}) come from this one loop.
     */
    static void decode(Path data, GroundTruth truth, Frames sink) {
        for (GroundTruth.MediaFaces m : truth.media()) {
            if (!(m.media() instanceof Media.Video)) {
                continue;
            }
            Path file = data.resolve(m.file());
            String stream = file.toString();
            long endNs = 0;
            try (FFmpegFrameGrabber grabber = grabber(file);
                    OpenCVFrameConverter.ToMat convert = new OpenCVFrameConverter.ToMat()) {
                grabber.start();
                for (int index = 0; ; index++) {
                    long t0 = THREADS.getCurrentThreadCpuTime();
                    Frame f = grabber.grabImage();
                    if (f == null) {
                        endNs = THREADS.getCurrentThreadCpuTime() - t0;
                        break;
                    }
                    Mat bgr = convert.convert(f);
                    sink.frame(m, stream, index, bgr, THREADS.getCurrentThreadCpuTime() - t0);
                }
                grabber.stop();
            } catch (FrameGrabber.Exception e) {
                throw new IllegalArgumentException(
                        file + ": cannot decode: " + e.getMessage() + "; delete the data set folder to render it again",
                        e);
            } finally {
                sink.end(stream, endNs);
            }
        }
    }

    /**
     * A decoder for one video as every pass opens it: one decoder thread, so the decode time is all on the calling
     * thread's CPU clock (and the frames any engine is given are decoded the same way). Not started.
     */
    static FFmpegFrameGrabber grabber(Path file) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setVideoOption("threads", "1");
        return grabber;
    }
}
