package io.facestream.ingest.publish;

import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.source.Picture;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One camera's frames on their way from decoder to Kafka. JPEG encoding runs on the shared encoder threads, so the
 * camera thread goes back to decoding at once; results are handed on strictly in capture order (Kafka keeps a camera's
 * frames in order only if they are sent in order). At most {@code depth} frames are in flight: a slow encoder slows
 * the camera instead of filling memory.
 */
public final class EncodeQueue {
    /** A frame that finished encoding, or failed to. */
    public record Encoded(long seq, long captureMicros, byte[] jpeg, Exception error) {}

    /** Receives frames in order, on the camera thread. */
    public interface Consumer {
        void encoded(Encoded frame);
    }

    private record Pending(long seq, long captureMicros, CompletableFuture<byte[]> jpeg) {}

    private final ExecutorService encoders;
    private final JpegEncoder jpeg;
    private final CameraOptions options;
    private final int depth;
    private final Consumer next;
    private final Deque<Pending> pending = new ArrayDeque<>();

    public EncodeQueue(ExecutorService encoders, JpegEncoder jpeg, CameraOptions options, int depth, Consumer next) {
        this.encoders = encoders;
        this.jpeg = jpeg;
        this.options = options;
        this.depth = Math.max(1, depth);
        this.next = next;
    }

    /** Queues a frame; the pixels are copied, so the caller may reuse its buffer right away. */
    public void submit(long seq, long captureMicros, Picture picture) {
        Picture copy = picture.copy();
        CompletableFuture<byte[]> encoded = CompletableFuture.supplyAsync(
                () -> {
                    // the copy is the task's own: the encoder may change it in place
                    try (Mat pixels = copy.mat()) {
                        return jpeg.encode(copy, options);
                    }
                },
                encoders);
        pending.add(new Pending(seq, captureMicros, encoded));
        handOn(false);
        while (pending.size() >= depth) {
            handOnHead();
        }
    }

    /** Waits for every queued frame and hands it on. */
    public void drain() {
        while (!pending.isEmpty()) {
            handOnHead();
        }
    }

    private void handOn(boolean wait) {
        while (!pending.isEmpty() && (wait || pending.peek().jpeg().isDone())) {
            handOnHead();
        }
    }

    private void handOnHead() {
        Pending p = pending.poll();
        byte[] jpeg = null;
        Exception error = null;
        try {
            jpeg = p.jpeg().join();
        } catch (CompletionException e) {
            error = e.getCause() instanceof Exception c ? c : e;
        }
        next.encoded(new Encoded(p.seq(), p.captureMicros(), jpeg, error));
    }
}
