package io.facestream.match.api.faces;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aligned face crops the page shows next to decisions, served from memory: a page of 50 decisions must not wait
 * for 50 reads of {@code facestream.faces} one after the other (each a seek and a fetch of about half a second).
 *
 * <ul>
 *   <li><b>Prefetch</b>: as a decision arrives in the feed, its best face's crop is read in the background, so the
 *       page finds it cached.
 *   <li><b>Concurrent reads</b>: what is not cached is read by one of {@code readers} consumers ({@link FaceRecords}),
 *       so several crops are fetched at once.
 *   <li><b>Bounded, and only what may be shown</b>: at most {@code capacity} crops, least recently used out first; a
 *       crop whose face the feed no longer shows (the decision left the window, its subject was erased, its unknown
 *       retention passed: {@code shown} turns false) is dropped at the next sweep, every {@link #SWEEP_SECONDS} s, so
 *       erased face data does not linger in memory.
 * </ul>
 * Only the crop is kept, not the embedding. Callers check that a face may be shown before asking for it.
 */
public final class FaceCrops implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaceCrops.class);
    static final int SWEEP_SECONDS = 10;
    private static final int PREFETCH_QUEUE = 1_000;

    /** A bounded queue whose newest task is taken first. */
    private static final class NewestFirst extends java.util.concurrent.LinkedBlockingDeque<Runnable> {
        NewestFirst(int capacity) {
            super(capacity);
        }

        @Override
        public boolean offer(Runnable task) {
            return offerFirst(task);
        }

        @Override
        public boolean add(Runnable task) {
            addFirst(task);
            return true;
        }

        @Override
        public void put(Runnable task) throws InterruptedException {
            putFirst(task);
        }
    }

    /** A face record's crop: empty bytes when the face was stored without one. */
    public record Crop(byte[] jpeg) {}

    private final BlockingQueue<FaceRecords> readers;
    private final List<FaceRecords> all = new ArrayList<>();
    private final Predicate<String> shown;
    private final int capacity;
    private final Map<String, Crop> cache;
    /** Crops being read from the topic now, by reference: a second asker waits for the first read. */
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Optional<Crop>>> inFlight =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ExecutorService prefetch;
    private final ScheduledExecutorService sweeper;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();

    /**
     * @param readers  consumers reading crops at once (each a Kafka consumer)
     * @param capacity crops kept in memory; 0 = no cache and no prefetch
     * @param shown    whether a reference ({@code faces/<partition>/<offset>}) is still shown by the feed
     */
    public FaceCrops(KafkaConnection kafka, int readers, int capacity, Predicate<String> shown) {
        if (readers < 1) {
            throw new IllegalArgumentException("api.crops.readers must be at least 1, got " + readers);
        }
        this.readers = new ArrayBlockingQueue<>(readers);
        for (int i = 0; i < readers; i++) {
            FaceRecords r = new FaceRecords(kafka);
            all.add(r);
            this.readers.add(r);
        }
        this.shown = shown;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(16, 0.75f, true);
        // one prefetching thread: decisions arrive a few per second; it must never compete with the page's reads
        // for all readers at once
        // bounded: a burst of decisions faster than crops can be read drops the oldest prefetches, not memory
        // newest first: a page shows the newest decisions, so a backlog (a burst, a feed that caught up late) must not
        // make them wait behind older ones; when full, the oldest request is dropped
        this.prefetch = new java.util.concurrent.ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new NewestFirst(PREFETCH_QUEUE),
                Thread.ofPlatform().name("face-crop-prefetch").daemon(true).factory(),
                (task, pool) -> {
                    if (!pool.isShutdown()) {
                        ((NewestFirst) pool.getQueue()).pollLast();
                        pool.getQueue().offer(task);
                    }
                });
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("face-crop-sweeper").daemon(true).factory());
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads {@code faces/<partition>/<offset>}'s crop in the background, if the cache is on and lacks it. */
    public void prefetch(String faceRef) {
        if (capacity == 0 || cached(faceRef) != null) {
            return;
        }
        long[] p = parse(faceRef);
        if (p == null) {
            return;
        }
        try {
            prefetch.execute(() -> {
                try {
                    if (shown.test(faceRef)) {
                        crop((int) p[0], p[1]);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("prefetch of {} failed: {}", faceRef, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing to prefetch for
        }
    }

    /** The crop of face {@code partition/offset}: from memory, else read by one of the readers; empty if no record. */
    public Optional<Crop> crop(int partition, long offset) {
        String ref = "faces/" + partition + "/" + offset;
        Crop c = cached(ref);
        if (c != null) {
            hits.incrementAndGet();
            return Optional.of(c);
        }
        // one read per crop at a time: a page asking for a face the read-ahead is reading right now (or two pages
        // asking at once) waits for that read instead of fetching the same record again
        CompletableFuture<Optional<Crop>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Crop>> running = inFlight.putIfAbsent(ref, mine);
        if (running != null) {
            Optional<Crop> shared = running.join();
            hits.incrementAndGet();
            return shared;
        }
        try {
            Optional<Crop> read = read(ref, partition, offset);
            mine.complete(read);
            return read;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(ref, mine);
        }
    }

    private Optional<Crop> read(String ref, int partition, long offset) {
        Optional<FaceObservation> o;
        FaceRecords r = reader();
        try {
            Crop c = cached(ref); // read by someone else while this request waited for a reader
            if (c != null) {
                hits.incrementAndGet();
                return Optional.of(c);
            }
            reads.incrementAndGet();
            o = r.read(partition, offset);
        } finally {
            readers.add(r);
        }
        if (o.isEmpty()) {
            return Optional.empty();
        }
        Crop crop = new Crop(o.get().getAlignedCropJpeg().toByteArray());
        if (capacity > 0) {
            synchronized (cache) {
                cache.put(ref, crop);
                while (cache.size() > capacity) {
                    cache.remove(cache.keySet().iterator().next());
                }
            }
        }
        return Optional.of(crop);
    }

    /**
     * The whole face record at {@code faces/<partition>/<offset>} (embedding included), read by one of the readers and
     * not kept: for the re-identification templates. Empty when there is no such record or the reference is not one.
     */
    public Optional<FaceObservation> observation(String faceRef) {
        long[] p = parse(faceRef);
        if (p == null) {
            return Optional.empty();
        }
        FaceRecords r = reader();
        try {
            reads.incrementAndGet();
            return r.read((int) p[0], p[1]);
        } finally {
            readers.add(r);
        }
    }

    private FaceRecords reader() {
        try {
            return readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a face reader", e);
        }
    }

    /** Whether the crop of {@code faceRef} is in memory now. */
    public boolean isCached(String faceRef) {
        return cached(faceRef) != null;
    }

    /** Crops served from memory and crops read from the topic, since start (for the metrics and the tests). */
    public long[] hitsAndReads() {
        return new long[] {hits.get(), reads.get()};
    }

    private Crop cached(String ref) {
        synchronized (cache) {
            return cache.get(ref);
        }
    }

    /** Drops every crop whose face the feed no longer shows. */
    void sweep() {
        List<String> refs;
        synchronized (cache) {
            refs = new ArrayList<>(cache.keySet());
        }
        for (String ref : refs) {
            if (!shown.test(ref)) { // asked outside the cache's lock: the feed has its own
                synchronized (cache) {
                    cache.remove(ref);
                }
            }
        }
    }

    private static long[] parse(String ref) {
        String[] parts = ref.split("/");
        if (parts.length != 3 || !parts[0].equals("faces")) {
            return null;
        }
        try {
            return new long[] {Integer.parseInt(parts[1]), Long.parseLong(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        prefetch.shutdownNow();
        sweeper.shutdownNow();
        for (FaceRecords r : all) {
            r.close();
        }
        synchronized (cache) {
            cache.clear();
        }
    }
}
