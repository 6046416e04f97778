package io.facestream.embed.service;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import com.google.protobuf.ByteString;
import io.facestream.core.events.Box;
import io.facestream.core.events.CameraProgress;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Frame;
import io.facestream.core.events.Point;
import io.facestream.embed.embedding.Embedding;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * Builds the {@link FaceObservation} of one embedded face: where it was, what it looks like, which model saw it; and
 * the progress records that stand for frames without faces and for silent cameras.
 */
final class ObservationFactory {
    private final int jpegQuality;
    private final boolean reportsProgress;

    /** @param reportsProgress whether this service writes progress records (faces say so) */
    ObservationFactory(int jpegQuality, boolean reportsProgress) {
        this.jpegQuality = jpegQuality;
        this.reportsProgress = reportsProgress;
    }

    /**
     * A progress record of a camera: no face, only where its newest frame is.
     *
     * @param silentMs 0 for a frame without faces; else how long the camera's frames have been silent
     */
    FaceObservation progress(
            String camera, long frameSeq, long captureMicros, int partition, long offset, long silentMs) {
        return FaceObservation.newBuilder()
                .setCameraId(camera)
                .setFrameSeq(frameSeq)
                .setCaptureTsUs(captureMicros)
                .setFramePartition(partition)
                .setFrameOffset(offset)
                .setReportsProgress(true)
                .setProgress(CameraProgress.newBuilder().setSilentMs(silentMs))
                .build();
    }

    FaceObservation build(
            Frame frame,
            int partition,
            long offset,
            FrameFaces.Extracted extracted,
            int index,
            Embedding embedding,
            ActiveModel model,
            boolean rejected) {
        FaceCrop crop = extracted.faces().get(index);
        var box = crop.face().box();
        FaceObservation.Builder b = FaceObservation.newBuilder()
                .setCameraId(frame.camera().toString())
                .setFrameSeq(frame.seq())
                .setCaptureTsUs(frame.captureMicros())
                .setFaceIndex(index)
                .setFacesInFrame(extracted.faces().size())
                .setBox(Box.newBuilder()
                        .setX(box.x())
                        .setY(box.y())
                        .setWidth(box.width())
                        .setHeight(box.height()))
                .setDetectorScore(crop.face().score())
                .setDetector(crop.detector())
                .setModel(model.ref())
                .setNorm(embedding.norm())
                .setQuality(model.quality().quality(embedding.norm()))
                .setRejected(rejected)
                .setAlignedCropJpeg(ByteString.copyFrom(jpeg(crop)))
                .setFrameWidth(extracted.width())
                .setFrameHeight(extracted.height())
                .setFramePartition(partition)
                .setFrameOffset(offset)
                .setReportsProgress(reportsProgress);
        for (var p : crop.face().landmarks()) {
            b.addLandmarks(Point.newBuilder().setX(p.x()).setY(p.y()));
        }
        for (float v : embedding.raw()) {
            b.addEmbedding(v);
        }
        if (crop.label() != null) {
            b.setGivenLabel(crop.label());
        }
        return b.build();
    }

    private byte[] jpeg(FaceCrop crop) {
        try (BytePointer buf = new BytePointer();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality)) {
            if (!imencode(".jpg", crop.aligned(), buf, params)) {
                throw new IllegalStateException("JPEG encoding of an aligned crop failed");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
