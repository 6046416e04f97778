package io.facestream.embed.service;

import io.facestream.embed.detect.DetectedFace;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One face of one frame, aligned and waiting for its embedding.
 *
 * @param face    detector output (box, score, 5 landmarks)
 * @param detector which detector found it (model id or "given")
 * @param label   label given with the face (annotated footage), or null
 * @param aligned the 112×112 aligned BGR crop; owned by this record until the batch is written
 */
public record FaceCrop(DetectedFace face, String detector, String label, Mat aligned) implements AutoCloseable {
    @Override
    public void close() {
        aligned.close();
    }
}
