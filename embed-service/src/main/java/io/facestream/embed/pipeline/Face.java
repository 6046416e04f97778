package io.facestream.embed.pipeline;

import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.embedding.Embedding;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A detected, aligned and embedded face. Holds the native aligned crop (BGR, 112×112): close it when done.
 */
public record Face(DetectedFace detection, Mat crop, Embedding embedding) implements AutoCloseable {
    @Override
    public void close() {
        crop.close();
    }
}
