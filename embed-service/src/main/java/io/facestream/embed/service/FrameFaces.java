package io.facestream.embed.service;

import io.facestream.core.events.Frame;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.gating.GatedDetector;
import io.facestream.embed.detect.given.GivenFace;
import io.facestream.embed.detect.given.GivenFaces;
import io.facestream.embed.image.ImageDecoder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Frame → aligned face crops: size check, safe decode, then the frame's own faces ({@code fs.faces}, the "given"
 * detector) or the configured detector, gated per camera ({@code face.gating.*}), then the 5-point similarity
 * alignment.
 * Anything wrong with the frame is a {@link RejectedFrame} whose message is the DLQ reason.
 */
final class FrameFaces implements AutoCloseable {
    /** Smaller frames cannot hold a face any detector finds (MTCNN's smallest window is 12 px). */
    static final int MIN_FRAME_SIDE = 16;

    private final ImageDecoder decoder;
    private final GatedDetector detector;
    private final FaceAligner aligner;
    private final int maxFrameBytes;
    private final int maxGivenFaces;

    FrameFaces(
            ImageDecoder decoder, GatedDetector detector, FaceAligner aligner, int maxFrameBytes, int maxGivenFaces) {
        this.decoder = decoder;
        this.detector = detector;
        this.aligner = aligner;
        this.maxFrameBytes = maxFrameBytes;
        this.maxGivenFaces = maxGivenFaces;
    }

    /** Thrown for a frame that cannot be processed; goes to the DLQ with this message. */
    static final class RejectedFrame extends RuntimeException {
        RejectedFrame(String message, Throwable cause) {
            super(message, cause);
        }
    }

    String detectorId() {
        return detector.id();
    }

    /** face.gating.mode as configured. */
    String gating() {
        return detector.settings().mode().key();
    }

    @Override
    public void close() {
        detector.close();
    }

    record Extracted(List<FaceCrop> faces, int width, int height) {}

    /** A frame of its camera's live sequence: detection may be gated by the camera's previous frames. */
    Extracted extract(Frame frame) {
        return extract(frame, true);
    }

    /** A frame out of its camera's sequence (the catch-up pass): searched whole, the camera's gate state untouched. */
    Extracted extractOutOfSequence(Frame frame) {
        return extract(frame, false);
    }

    private Extracted extract(Frame frame, boolean inSequence) {
        String what = "frame " + frame.camera() + "/" + frame.seq();
        if (frame.image().length > maxFrameBytes) {
            throw new RejectedFrame(
                    what + ": " + frame.image().length + " bytes exceeds the limit of " + maxFrameBytes, null);
        }
        GivenFaces given = null;
        if (frame.facesJson() != null) {
            try {
                given = GivenFaces.parse(frame.facesJson(), what + " fs.faces");
            } catch (IllegalArgumentException e) {
                throw new RejectedFrame(e.getMessage(), e);
            }
            if (given.faces().size() > maxGivenFaces) {
                throw new RejectedFrame(
                        what + ": fs.faces names " + given.faces().size() + " faces, more than the limit of "
                                + maxGivenFaces + " (embed.service.max-given-faces)",
                        null);
            }
        }
        Mat image;
        try {
            image = decoder.decode(frame.image(), what);
        } catch (IllegalArgumentException e) {
            throw new RejectedFrame(e.getMessage(), e);
        }
        try (image) {
            if (image.cols() < MIN_FRAME_SIDE || image.rows() < MIN_FRAME_SIDE) {
                throw new RejectedFrame(
                        what + ": " + image.cols() + "x" + image.rows() + " pixels is too small to hold a face"
                                + " (minimum " + MIN_FRAME_SIDE + "x" + MIN_FRAME_SIDE + ")",
                        null);
            }
            List<FaceCrop> crops = new ArrayList<>();
            if (given != null) {
                List<DetectedFace> placed = given.detect(image); // validates the boxes against the frame size
                for (int i = 0; i < placed.size(); i++) {
                    GivenFace g = given.faces().get(i);
                    crops.add(new FaceCrop(placed.get(i), given.id(), g.label(), aligner.align(image, placed.get(i))));
                }
            } else {
                List<DetectedFace> found = inSequence
                        ? detector.detect(frame.camera().toString(), frame.seq(), image)
                        : detector.detect(image);
                for (DetectedFace f : found) {
                    crops.add(new FaceCrop(f, detector.id(), null, aligner.align(image, f)));
                }
            }
            return new Extracted(crops, image.cols(), image.rows());
        } catch (RejectedFrame e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RejectedFrame(what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // detection and alignment run native code (ONNX Runtime, OpenCV): whatever one frame makes them throw
            // is that frame's problem, named in its dead letter; the next frame goes on
            throw new RejectedFrame(what + ": face detection failed: " + e, e);
        }
    }
}
