package io.facestream.embed.service;

import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.onnx.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Embeds a batch on several threads ({@code embed.service.embed-threads}): the batch is cut into as many contiguous
 * parts as there are threads, the calling thread embeds the last part itself and helper threads the others, all on
 * the same ONNX Runtime session (which allows concurrent runs).
 *
 * <p>Why: on a CPU one inference thread embeds about 100 faces/s, and four cameras of four faces at 5 fps already ask
 * for 80. With one embedding thread that thread was the service's bottleneck while the detect workers waited for the
 * next poll: frames queued up and went late. Split, a batch takes the cores the detectors are not using (they are idle
 * while the service thread embeds: the next poll comes after). On a GPU one call for the whole batch is what the
 * device is fast at, so there the default is one thread.
 */
final class EmbedThreads implements AutoCloseable {
    private final int threads;
    private final ExecutorService helpers;

    /** @param threads parts a batch is cut into, at least 1 (1 = the calling thread embeds it whole) */
    EmbedThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("embed.service.embed-threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.helpers = threads == 1
                ? null
                : Executors.newFixedThreadPool(threads - 1, new java.util.concurrent.ThreadFactory() {
                    private int next;

                    @Override
                    public synchronized Thread newThread(Runnable r) {
                        Thread t = new Thread(r, "facestream-embed-infer-" + next++);
                        t.setDaemon(true);
                        return t;
                    }
                });
    }

    /** {@code embed.service.embed-threads}: 0 = one per core on a CPU, one on a GPU. */
    static int resolve(int configured, Device device) {
        if (configured > 0) {
            return configured;
        }
        return device.type() == Device.Type.CPU ? Runtime.getRuntime().availableProcessors() : 1;
    }

    int size() {
        return threads;
    }

    /** The crops' embeddings, in the crops' order. */
    List<Embedding> embed(FaceEmbedder embedder, List<Mat> crops) {
        int parts = Math.min(threads, crops.size());
        if (parts <= 1) {
            return embedder.embed(crops);
        }
        List<Future<List<Embedding>>> others = new ArrayList<>(parts - 1);
        int per = (crops.size() + parts - 1) / parts;
        int last = (parts - 1) * per;
        for (int start = 0; start < last; start += per) {
            List<Mat> part = crops.subList(start, Math.min(crops.size(), start + per));
            others.add(helpers.submit(() -> embedder.embed(part)));
        }
        List<Embedding> tail;
        try {
            tail = embedder.embed(crops.subList(Math.min(last, crops.size()), crops.size()));
        } catch (RuntimeException | Error e) {
            awaitAll(others); // the other parts run to their end: the crops are freed after this
            throw e;
        }
        List<Embedding> out = new ArrayList<>(crops.size());
        for (Future<List<Embedding>> f : others) {
            out.addAll(await(f, others));
        }
        out.addAll(tail);
        return out;
    }

    private static List<Embedding> await(Future<List<Embedding>> f, List<Future<List<Embedding>>> all) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            awaitAll(all);
            throw new IllegalStateException("interrupted while embedding a batch", e);
        } catch (ExecutionException e) {
            awaitAll(all); // no part may still be running on crops the caller frees next
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        }
    }

    /** Waits, ignoring failures, until no part is running: the crops are the caller's to free afterwards. */
    private static void awaitAll(List<Future<List<Embedding>>> parts) {
        for (Future<List<Embedding>> f : parts) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // the first failure is the one reported
            }
        }
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdown();
            try {
                helpers.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
