package io.facestream.ops.bench;

import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.Point;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.synth.FaceLabel;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The denominator of the pipeline efficiency: the embedder alone, on faces already aligned, in batches of the
 * service's batch size. Nothing else runs, so this is the most faces/s the streaming service could reach with the
 * same model, device and threads.
 */
final class RawEmbedderRate implements AutoCloseable {
    private final FaceEmbedder embedder;
    private final List<Mat> crops;
    private final int batch;

    /** Aligns the clip's ground-truth faces (up to {@code maxCrops}) once, as the service would. */
    RawEmbedderRate(FaceEmbedder embedder, PipelineFootage clip, int batch, int maxCrops) {
        this.embedder = embedder;
        this.batch = batch;
        this.crops = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        FaceAligner aligner = new FaceAligner();
        for (PipelineFootage.ClipFrame f : clip.frames()) {
            if (crops.size() >= maxCrops) {
                break;
            }
            try (Mat image = decoder.decode(f.jpeg(), "benchmark clip frame")) {
                for (FaceLabel l : f.faces()) {
                    List<Point> points = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        points.add(new Point((float) l.landmarks()[2 * i], (float) l.landmarks()[2 * i + 1]));
                    }
                    crops.add(aligner.align(image, points));
                }
            }
        }
        if (crops.isEmpty()) {
            throw new CommandFailed("the benchmark clip " + clip.file() + " has no faces to embed");
        }
    }

    /** Faces per second over about {@code seconds} of back-to-back batches (after one warm-up batch). */
    double measure(double seconds) {
        int cursor = 0;
        embedder.embed(next(cursor));
        long faces = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        do {
            List<Mat> input = next(cursor);
            cursor += batch;
            embedder.embed(input);
            faces += input.size();
        } while (System.nanoTime() < end);
        return faces / ((System.nanoTime() - start) / 1e9);
    }

    private List<Mat> next(int cursor) {
        List<Mat> input = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            input.add(crops.get((cursor + i) % crops.size()));
        }
        return input;
    }

    @Override
    public void close() {
        crops.forEach(Mat::close);
        embedder.close();
    }
}
