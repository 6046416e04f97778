package io.facestream.ops.bench;

import io.facestream.embed.detect.Box;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.GroundTruthFace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The video frames of a data set, decoded once exactly as {@link CameraPass} decodes them ({@link CameraPass#grabber}
 * and the same conversion to BGR, videos in ground-truth order), written to one raw file for a peer engine: the frames
 * one after the other, each {@code height × width × 3} bytes, BGR, row-major, nothing else. Handing over decoded
 * pixels rather than the video keeps the comparison to detection alone: a peer's own decoder could convert colours a
 * little differently. Deleted on {@link #close}.
 *
 * @param file   the raw frames
 * @param width  frame width, pixels (every video of the set has the same size)
 * @param height frame height, pixels
 * @param truth  per frame, in file order, the boxes of its ground-truth faces
 */
record PeerFrames(Path file, int width, int height, List<List<Box>> truth) implements AutoCloseable {
    PeerFrames {
        truth = List.copyOf(truth);
    }

    int count() {
        return truth.size();
    }

    /** Decodes every video frame of {@code data} into a new temporary file. */
    static PeerFrames write(Path data, GroundTruth truth) {
        Path file;
        try {
            file = Files.createTempFile("facestream-cameras-peer", ".bgr");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the peer's frame file in " + tmp(), e);
        }
        int[] size = {-1, -1};
        List<List<Box>> boxes = new ArrayList<>();
        boolean done = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[][] px = {null};
            CameraPass.decode(data, truth, (m, stream, index, bgr, decodeNs) -> {
                if (size[0] < 0) {
                    size[0] = bgr.cols();
                    size[1] = bgr.rows();
                    px[0] = new byte[size[0] * size[1] * 3];
                }
                if (bgr.cols() != size[0] || bgr.rows() != size[1] || bgr.channels() != 3) {
                    throw new IllegalArgumentException(stream + " frame " + index + " is " + bgr.cols() + "x"
                            + bgr.rows() + "x" + bgr.channels() + ", the set's first frame " + size[0] + "x"
                            + size[1] + "x3: render the data set again (delete its folder)");
                }
                if (bgr.isContinuous()) {
                    bgr.data().get(px[0]);
                } else {
                    try (Mat copy = bgr.clone()) {
                        copy.data().get(px[0]);
                    }
                }
                try {
                    ByteBuffer b = ByteBuffer.wrap(px[0]);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                boxes.add(m.byFrame().getOrDefault(index, List.of()).stream()
                        .map(GroundTruthFace::box)
                        .toList());
            });
            if (boxes.isEmpty()) {
                throw new IllegalArgumentException(
                        data + " has no video frames to hand the peer (" + truth.file() + ")");
            }
            done = true;
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException(
                    "cannot write the peer's frame file " + file + " (free space in " + tmp()
                            + "? a 1920x1080 frame is 6 MB)",
                    e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        } finally {
            if (!done) {
                deleteQuietly(file);
            }
        }
        return new PeerFrames(file, size[0], size[1], boxes);
    }

    @Override
    public void close() {
        deleteQuietly(file);
    }

    private static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
