package io.facestream.match.api.live;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's view of {@code facestream.matches}: a bounded window of the most recent decisions (committed ones only),
 * per-camera status, and listeners for the live SSE/WebSocket streams. It reads the topic from the beginning of
 * retention without a consumer group, so every API instance has the same view and a restart rebuilds it.
 *
 * <p>A decision that is not a {@link Match.Decision#HIT} is about someone in no gallery: once its track's last face is
 * older than {@code privacy.unknown-retention} (capture time), the window keeps the decision without its best face,
 * so its crop is no longer served (docs/privacy.md).
 */
public final class MatchFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MatchFeed.class);

    /** What the cameras page shows per camera. */
    public record CameraStatus(String camera, long matches, long hits, long lastTsUs, String lastMatchId) {}

    private final KafkaConnection kafka;
    private TopicFollower follower;
    private final Deserializer<Match> values = JsonSerde.match().deserializer();
    private final int capacity;
    /**
     * The window by match id, in the order the decisions arrived (listed newest arrival first). Which decisions it
     * keeps is decided by their end time ({@link #byTime}): after a restart the topic's partitions are replayed
     * interleaved, so arrival order is not time order, and "the newest N" must be by time.
     */
    private final java.util.LinkedHashMap<String, Match> recent = new java.util.LinkedHashMap<>();

    /** The window's match ids, newest end time first (then newest arrival); the last one is evicted first. */
    private final java.util.TreeMap<Slot, String> byTime = new java.util.TreeMap<>();

    private final Map<String, Slot> slots = new java.util.HashMap<>();
    private long arrivals;

    /** A decision's place in the window: later end time first, then later arrival first. */
    private record Slot(long endTsUs, long arrival) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot o) {
            int c = Long.compare(o.endTsUs, endTsUs);
            return c != 0 ? c : Long.compare(o.arrival, arrival);
        }
    }

    private final Map<String, CameraStatus> cameras = new TreeMap<>();
    /** best_faces references of the matches in the window, with how many matches name each. */
    private final Map<String, Integer> bestFaces = new java.util.HashMap<>();

    /** Hear every decision, replayed ones included. */
    private final List<Consumer<Match>> listeners = new CopyOnWriteArrayList<>();
    /** Hear the decisions written after the feed started only. */
    private final List<Consumer<Match>> liveListeners = new CopyOnWriteArrayList<>();

    private volatile boolean caughtUp;
    private long unreadable;
    private final long unknownRetentionUs;
    private final Clock clock;
    private long unknownCropsDropped;
    /** Subjects and galleries whose face data is gone. */
    private io.facestream.match.erasure.ErasedSubjects erased = io.facestream.match.erasure.ErasedSubjects.none();

    /** With the built-in {@code privacy.unknown-retention} of 24 hours. */
    public MatchFeed(KafkaConnection kafka, int capacity) {
        this(kafka, capacity, Duration.ofHours(24), Clock.systemUTC());
    }

    /** @param unknownRetention how long the crop of a decision other than HIT stays available */
    public MatchFeed(KafkaConnection kafka, int capacity, Duration unknownRetention, Clock clock) {
        this.kafka = kafka;
        this.capacity = capacity;
        this.unknownRetentionUs = unknownRetention.toNanos() / 1000;
        this.clock = clock;
    }

    /**
     * How to tell a subject deleted before this feed started (after a restart the feed re-reads decisions that name it):
     * the match service asks its gallery replica (the gallery exists, the subject is not enrolled).
     */
    public MatchFeed withDeletedSubjects(java.util.function.BiPredicate<String, String> deleted) {
        this.erased = new io.facestream.match.erasure.ErasedSubjects(deleted);
        return this;
    }

    public MatchFeed start() {
        follower =
                TopicFollower.replay(kafka, TopicCatalog.MATCHES, "match-feed", Duration.ofMillis(200), this::accept);
        return this;
    }

    private void accept(ConsumerRecords<String, byte[]> records, TopicFollower.Replay replay) {
        for (ConsumerRecord<String, byte[]> r : records) {
            Match m;
            try {
                m = values.deserialize(r.topic(), r.value());
            } catch (RuntimeException e) {
                synchronized (this) {
                    unreadable++;
                }
                LOG.warn(
                        "skipping unreadable record {}-{}@{}: {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.getMessage());
                continue;
            }
            if (m != null) {
                add(m, !replay.replayed(r));
            }
        }
        caughtUp = replay.caughtUp();
    }

    /**
     * One decision from the follower (package-private: the window's unit test adds decisions without a broker).
     *
     * @param live written after this feed started (a replayed decision is not news to a live stream)
     */
    void add(Match received, boolean live) {
        Match m;
        synchronized (this) {
            m = namesErased(received) ? received.withoutBestFace() : received;
            // A FINAL replaces nothing: PROVISIONAL and FINAL are two decisions; a replayed id replaces its twin.
            Slot twin = slots.remove(m.matchId());
            if (twin != null) {
                byTime.remove(twin);
                forget(recent.remove(m.matchId()));
            }
            if (expired(m, nowUs())) {
                m = m.withoutBestFace(); // replayed from the topic after its unknown retention
            }
            Slot slot = new Slot(m.endTsUs(), arrivals++);
            recent.put(m.matchId(), m);
            byTime.put(slot, m.matchId());
            slots.put(m.matchId(), slot);
            for (String face : m.bestFaces()) { // the best face first, then the track's next best
                bestFaces.merge(face, 1, Integer::sum);
            }
            while (recent.size() > capacity) {
                String oldest = byTime.pollLastEntry().getValue();
                slots.remove(oldest);
                forget(recent.remove(oldest));
            }
            CameraStatus c = cameras.get(m.cameraId());
            long n = c == null ? 0 : c.matches();
            long h = c == null ? 0 : c.hits();
            cameras.put(
                    m.cameraId(),
                    new CameraStatus(
                            m.cameraId(),
                            n + 1,
                            h + (m.decision() == Match.Decision.HIT ? 1 : 0),
                            Math.max(c == null ? 0 : c.lastTsUs(), m.endTsUs()),
                            m.matchId()));
        }
        for (Consumer<Match> l : live ? liveAndAll() : listeners) {
            try {
                l.accept(m);
            } catch (RuntimeException e) {
                LOG.debug("live listener failed: {}", e.toString());
            }
        }
    }

    private long nowUs() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private boolean expired(Match m, long nowUs) {
        return m.decision() != Match.Decision.HIT && m.bestFace() != null && m.endTsUs() < nowUs - unknownRetentionUs;
    }

    /** Drops the best face of every unknown decision past its retention; called before each read of the window. */
    private void dropExpiredUnknownCrops() {
        long now = nowUs();
        for (Map.Entry<String, Match> e : recent.entrySet()) {
            Match m = e.getValue();
            if (expired(m, now)) {
                forget(m);
                unknownCropsDropped++;
                e.setValue(m.withoutBestFace());
            }
        }
    }

    /**
     * Erasure: decisions that name the subject (any candidate; {@code subjectId} null for a whole gallery) lose their
     * face data — the reference to the track's best face, so the crop route refuses it and the track route no longer
     * shows it — here and in every decision read later. The decisions themselves stay (what was decided, when).
     *
     * @return how many decisions in the window lost their face data
     */
    public synchronized int erase(String gallery, String subjectId) {
        erased.erase(gallery, subjectId);
        int stripped = 0;
        for (Map.Entry<String, Match> e : recent.entrySet()) {
            Match m = e.getValue();
            if (m.bestFace() != null && namesErased(m)) {
                forget(m);
                e.setValue(m.withoutBestFace());
                stripped++;
            }
        }
        return stripped;
    }

    private boolean namesErased(Match m) {
        return erased.names(m);
    }

    private void forget(Match m) {
        for (String face : m.bestFaces()) {
            bestFaces.computeIfPresent(face, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /**
     * Whether {@code faces/<partition>/<offset>} is one of the best faces of a match in the window: the only face
     * records the API shows, so a caller cannot walk the faces topic by offset.
     */
    public boolean isRecentBestFace(int partition, long offset) {
        return isRecentBestFace("faces/" + partition + "/" + offset);
    }

    /** As {@link #isRecentBestFace(int, long)} for a reference {@code faces/<partition>/<offset>}. */
    public synchronized boolean isRecentBestFace(String faceRef) {
        dropExpiredUnknownCrops();
        return bestFaces.containsKey(faceRef);
    }

    /** Matches passing the filter, newest first, paged. */
    public synchronized Page query(MatchQuery q) {
        dropExpiredUnknownCrops();
        List<Match> out = new ArrayList<>();
        int seen = 0;
        int total = 0;
        for (Match m : recent.reversed().values()) { // newest arrival first
            if (!q.matches(m)) {
                continue;
            }
            total++;
            if (seen++ >= q.offset() && out.size() < q.limit()) {
                out.add(m);
            }
        }
        return new Page(out, total, q.offset(), q.limit());
    }

    public record Page(List<Match> matches, int total, int offset, int limit) {}

    public synchronized java.util.Optional<Match> find(String matchId) {
        dropExpiredUnknownCrops();
        return java.util.Optional.ofNullable(recent.get(matchId));
    }

    public synchronized List<CameraStatus> cameras() {
        return List.copyOf(cameras.values());
    }

    public synchronized Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("recent", recent.size());
        s.put("capacity", capacity);
        s.put("caught_up", caughtUp);
        s.put("unreadable_records", unreadable);
        s.put("unknown_crops_dropped", unknownCropsDropped);
        return s;
    }

    /** Whether the feed has read every decision that was in the topic when it started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * Hears each decision written after this feed started (live streams: a client that connects during the replay of
     * the topic is not sent thousands of old decisions as news).
     */
    public Runnable listen(Consumer<Match> listener) {
        liveListeners.add(listener);
        return () -> liveListeners.remove(listener);
    }

    /** Hears every decision, those replayed from the topic at start too (state rebuilt from history). */
    public Runnable listenAll(Consumer<Match> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private List<Consumer<Match>> liveAndAll() {
        List<Consumer<Match>> all = new ArrayList<>(listeners);
        all.addAll(liveListeners);
        return all;
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
    }
}
