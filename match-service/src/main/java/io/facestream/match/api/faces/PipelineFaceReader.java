package io.facestream.match.api.faces;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.image.ImageException;
import io.facestream.embed.pipeline.Face;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.match.api.ApiError;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@link FaceReader} on the embed pipeline library: decode (pixel limit checked from the header before any
 * allocation), detect, take the largest face, align, embed. The pipeline's ONNX sessions are not shared across
 * threads safely for every model, so reads are serialised.
 */
public final class PipelineFaceReader implements FaceReader, AutoCloseable {
    private final FacePipeline pipeline;
    private final ImageDecoder decoder;
    private final String model;

    public PipelineFaceReader(FacePipeline pipeline, long maxPixels) {
        this.pipeline = pipeline;
        this.decoder = new ImageDecoder(maxPixels);
        var m = pipeline.embedder().manifest();
        this.model = m.name() + ":" + m.version();
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public synchronized ReadFace read(byte[] image, String what) {
        Mat bgr;
        try {
            bgr = decoder.decode(image, what);
        } catch (ImageException e) {
            throw ApiError.unprocessable(e.getMessage());
        }
        try (bgr) {
            List<Face> faces = pipeline.process(bgr);
            if (faces.isEmpty()) {
                throw ApiError.unprocessable(
                        what + ": no face found in the " + bgr.cols() + "x" + bgr.rows() + " image");
            }
            Face largest = faces.stream()
                    .max(java.util.Comparator.comparingDouble(
                            f -> f.detection().box().area()))
                    .orElseThrow();
            try {
                return new ReadFace(
                        model,
                        largest.embedding().raw(),
                        jpeg(largest.crop(), what),
                        largest.detection().score(),
                        faces.size());
            } finally {
                faces.forEach(Face::close);
            }
        }
    }

    private static byte[] jpeg(Mat crop, String what) {
        try (BytePointer buf = new BytePointer()) {
            if (!imencode(".jpg", crop, buf)) {
                throw new IllegalStateException(what + ": cannot encode the aligned crop as JPEG");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
