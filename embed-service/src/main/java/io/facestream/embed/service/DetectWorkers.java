package io.facestream.embed.service;

import io.facestream.core.events.Frame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Decode + detect + align ({@link FrameFaces}) on a few worker threads ({@code embed.service.detect-threads}), so
 * that the frames of a poll are searched on every core while the service thread embeds and commits.
 *
 * <p>Each worker has its own {@link FrameFaces}: its own detector and ONNX sessions (the detectors keep per-call
 * buffers and the gate keeps per-camera state, neither is thread-safe) and its own decoder and aligner. A camera is
 * given to one worker the first time it is seen and stays there, and a worker runs its frames one at a time in the
 * order they were handed in: so a camera's gating state lives in one place, is used by one thread at a time, and sees
 * the camera's frames in order. New cameras go to the worker with the fewest cameras.
 *
 * <p>Used from the service thread only (the worker threads touch nothing but their own {@link FrameFaces}).
 */
final class DetectWorkers implements AutoCloseable {
    /** Cameras remembered; the least recently seen is forgotten beyond it (as the gate forgets its streams). */
    static final int MAX_CAMERAS = 4096;

    private final List<FrameFaces> faces;
    private final List<ExecutorService> threads;
    private final int[] cameras;
    private final double slowdown;
    private final Map<String, Integer> owner = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            if (size() > MAX_CAMERAS) {
                cameras[eldest.getValue()]--;
                return true;
            }
            return false;
        }
    };

    /**
     * @param count    worker threads, at least 1
     * @param open     the i-th worker's own frame → faces pipeline (called once per worker, here)
     * @param slowdown the {@code embed.service.slowdown} testing knob, applied to each frame's work on its worker
     */
    DetectWorkers(int count, IntFunction<FrameFaces> open, double slowdown) {
        if (count < 1) {
            throw new IllegalArgumentException("embed.service.detect-threads must be at least 1, got " + count);
        }
        this.slowdown = slowdown;
        this.faces = new ArrayList<>(count);
        this.threads = new ArrayList<>(count);
        this.cameras = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                faces.add(open.apply(i));
            }
        } catch (RuntimeException | Error e) {
            faces.forEach(FrameFaces::close);
            throw e;
        }
        for (int i = 0; i < count; i++) {
            String name = "facestream-embed-detect-" + i;
            threads.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /** {@code embed.service.detect-threads}: 0 = one per core. */
    static int resolve(int configured) {
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    int size() {
        return faces.size();
    }

    String detectorId() {
        return faces.getFirst().detectorId();
    }

    String gating() {
        return faces.getFirst().gating();
    }

    /**
     * Starts extracting {@code frame} on its camera's worker, after the camera's earlier frames.
     *
     * @param inSequence a live frame of its camera's sequence (gated); false for catch-up frames (searched whole)
     */
    Future<FrameFaces.Extracted> submit(Frame frame, boolean inSequence) {
        String camera = frame.camera().toString();
        Integer w = owner.get(camera);
        if (w == null) {
            w = 0;
            for (int i = 1; i < cameras.length; i++) {
                if (cameras[i] < cameras[w]) {
                    w = i;
                }
            }
            cameras[w]++;
            owner.put(camera, w);
        }
        FrameFaces mine = faces.get(w);
        return threads.get(w).submit(() -> {
            long started = System.nanoTime();
            try {
                return inSequence ? mine.extract(frame) : mine.extractOutOfSequence(frame);
            } finally {
                slowDown(started);
            }
        });
    }

    /**
     * The faces of a submitted frame, waiting for them.
     *
     * @throws FrameFaces.RejectedFrame when the frame cannot be processed (its dead letter's reason)
     */
    static FrameFaces.Extracted await(Future<FrameFaces.Extracted> pending) {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(false);
            throw new IllegalStateException("interrupted while waiting for a frame's faces", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FrameFaces.RejectedFrame rejected) {
                throw rejected;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        }
    }

    /**
     * Drops a submitted frame whose faces are not used (the rest of a poll after a rewind): waits for it, so that
     * the worker is done with it, and frees its crops.
     */
    static void discard(Future<FrameFaces.Extracted> pending) {
        try {
            pending.get().faces().forEach(FaceCrop::close);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // nothing was made that needs freeing
        }
    }

    /** The testing knob {@code embed.service.slowdown}: sleep (slowdown − 1) times the work that began at {@code startedNanos}. */
    private void slowDown(long startedNanos) {
        if (slowdown <= 1) {
            return;
        }
        long nanos = (long) ((System.nanoTime() - startedNanos) * (slowdown - 1));
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the workers (after the frame each is on) and closes their detectors. */
    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdown);
        for (ExecutorService t : threads) {
            try {
                t.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        faces.forEach(FrameFaces::close);
    }
}
