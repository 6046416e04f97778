package io.facestream.embed.detect;

import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** Finds faces in an 8-bit BGR image. Implementations are not thread-safe unless they say so. */
public interface FaceDetector extends AutoCloseable {
    /** Faces by descending score; an image without faces gives an empty list. */
    List<DetectedFace> detect(Mat bgr);

    /** Model id (name@version) or "given". */
    String id();

    @Override
    default void close() {}
}
