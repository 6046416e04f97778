package io.facestream.trainer.data;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Produces batches in step order on background threads. Everything random is a function of (seed, epoch, position):
 * the epoch's permutation and each sample's augmentation draw, so a run repeats exactly and a resumed run sees the
 * same batches as an uninterrupted one, whatever the thread timing. The last partial batch of an epoch is dropped
 * (a 1-sample batch would poison AdaFace's std). Undecodable images are counted in the data set's
 * {@link BadRecords} and left out of their batch.
 */
public final class BatchLoader implements AutoCloseable {
    private final FaceDataset data;
    private final InputFormat format;
    private final Augmentation augmentation;
    private final int batchSize;
    private final long seed;
    private final int stepsPerEpoch;
    private final ExecutorService workers;
    private final Deque<Future<Batch>> queue = new ArrayDeque<>();
    private final int prefetch;
    private long nextToSubmit;
    private int permutedEpoch = -1;
    private int[] permutation;

    public BatchLoader(
            FaceDataset data,
            InputFormat format,
            Augmentation augmentation,
            int batchSize,
            long seed,
            long firstStep,
            int threads) {
        if (data.size() < batchSize) {
            throw new IllegalArgumentException(data.describe() + " has fewer images than one batch of " + batchSize);
        }
        this.data = data;
        this.format = format;
        this.augmentation = augmentation;
        this.batchSize = batchSize;
        this.seed = seed;
        this.stepsPerEpoch = data.size() / batchSize;
        this.prefetch = Math.max(2, threads * 2);
        this.nextToSubmit = firstStep;
        this.workers = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "trainer-data");
            t.setDaemon(true);
            return t;
        });
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** The next batch in step order (blocks until it is ready). */
    public Batch next() {
        while (queue.size() < prefetch) {
            long step = nextToSubmit++;
            int[] indices = indices(step);
            queue.add(workers.submit(() -> load(step, indices)));
        }
        try {
            return queue.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading training data", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "loading a training batch failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private synchronized int[] indices(long step) {
        int epoch = (int) (step / stepsPerEpoch);
        if (epoch != permutedEpoch) {
            permutation = permutation(epoch);
            permutedEpoch = epoch;
        }
        int start = (int) (step % stepsPerEpoch) * batchSize;
        return java.util.Arrays.copyOfRange(permutation, start, start + batchSize);
    }

    private int[] permutation(int epoch) {
        int[] p = new int[data.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(mix(seed, epoch, -1));
        for (int i = p.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private Batch load(long step, int[] indices) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        float[] pixels = new float[(int) format.shape(indices.length).size()];
        long[] labels = new long[indices.length];
        java.util.List<String> sources = new java.util.ArrayList<>(indices.length);
        int n = 0;
        for (int index : indices) {
            try {
                FaceRecord r = data.read(index);
                FaceImage img = ImageCodec.decode(r, format.size());
                augmentation.apply(img, new SplittableRandom(mix(seed, step, index)));
                format.write(img, pixels, n);
                labels[n++] = r.label();
                sources.add(r.source());
            } catch (BadRecordException e) {
                data.badRecords().add(e);
            }
        }
        if (n < indices.length) {
            pixels = java.util.Arrays.copyOf(pixels, (int) format.shape(n).size());
            labels = java.util.Arrays.copyOf(labels, n);
        }
        return new Batch(step, pixels, labels, n, threads.getCurrentThreadCpuTime() - cpu0, sources);
    }

    private static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + b;
        return h ^ (h >>> 29);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
