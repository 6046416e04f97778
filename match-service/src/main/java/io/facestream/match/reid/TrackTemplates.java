package io.facestream.match.reid;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Match;
import io.facestream.core.vector.TemplateFusion;
import io.facestream.core.vector.Vectors;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Seen elsewhere": a rolling gallery of the templates of every camera's closed tracks, so that for any track the
 * tracks of every camera in the last hours can be searched (cross-camera re-identification), whether or not the person
 * is enrolled anywhere.
 *
 * <p>Fed by the API's feed of decisions: for each FINAL decision the track's best faces are read back from
 * {@code facestream.faces} (in the background, through the API's face readers) and fused as the tracker fuses them
 * (the sum of raw features, so the norm weighs each face); the unit template is kept with the decision. What is kept,
 * and for how long, follows the privacy rules of the decisions themselves: a track leaves the gallery once its last
 * face is older than {@code match.reid.window}, a track that was not a HIT already once older than
 * {@code privacy.unknown-retention}, and a track whose decision names an erased subject at the erasure. At most
 * {@code match.reid.max-tracks} are kept, the oldest out first. Searching is an exact scan: a few thousand templates
 * of a few hundred dimensions take well under a millisecond per thousand.
 */
public final class TrackTemplates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrackTemplates.class);
    private static final int QUEUE = 1_000;

    /** Configuration: {@code match.reid.*}. */
    public record Settings(boolean enabled, Duration window, int maxTracks) {
        public static Settings fromConfig(FacestreamConfig config) {
            return new Settings(
                    config.getBoolean("match.reid.enabled"),
                    config.getDuration("match.reid.window"),
                    config.getInt("match.reid.max-tracks"));
        }
    }

    /** A closed track in the rolling gallery: its FINAL decision and its fused template (unit length). */
    public record Entry(Match decision, String model, float[] unit, int faces) {}

    /** A track found for another one, with the cosine of their templates. */
    public record Sighting(Match decision, double score, int faces) {}

    private final Settings settings;
    private final Function<String, Optional<FaceObservation>> faces;
    private final Duration unknownRetention;
    private final Clock clock;
    private final Deque<Entry> entries = new ArrayDeque<>(); // newest first (by arrival)
    private final io.facestream.match.erasure.ErasedSubjects erased; // erased while running, or deleted before
    private final ExecutorService builder;
    private final AtomicLong unreadable = new AtomicLong();

    /**
     * @param faces          reads a face record by reference ({@code faces/<partition>/<offset>}), empty when gone
     * @param deletedSubject whether a subject a decision names was deleted from its gallery (before this start)
     */
    public TrackTemplates(
            Settings settings,
            Function<String, Optional<FaceObservation>> faces,
            BiPredicate<String, String> deletedSubject,
            Duration unknownRetention,
            Clock clock) {
        this.settings = settings;
        this.faces = faces;
        this.erased = new io.facestream.match.erasure.ErasedSubjects(deletedSubject);
        this.unknownRetention = unknownRetention;
        this.clock = clock;
        // one thread, bounded: a burst of closing tracks faster than their faces can be read drops the oldest
        // requests (counted as unreadable), never memory
        this.builder = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                Thread.ofPlatform().name("reid-templates").daemon(true).factory(),
                (r, pool) -> {
                    unreadable.incrementAndGet();
                    if (!pool.isShutdown()) {
                        pool.getQueue().poll();
                        pool.execute(r);
                    }
                });
    }

    /** A decision from the feed: a FINAL one with a best face is read and added in the background. */
    public void offer(Match m) {
        if (m.stage() != Match.Stage.FINAL || m.bestFace() == null || m.model() == null) {
            return;
        }
        try {
            builder.execute(() -> {
                try {
                    add(m);
                } catch (RuntimeException e) {
                    unreadable.incrementAndGet();
                    LOG.debug("no template for {}: {}", m.matchId(), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Reads the decision's best faces of its model and adds the fused template (replacing an earlier one). */
    void add(Match m) {
        if (namesErased(m) || expired(m, nowUs())) {
            return;
        }
        String model = m.model().name() + ":" + m.model().version();
        List<float[]> raw = io.facestream.match.api.faces.TrackFaces.of(m, faces).stream()
                .map(io.facestream.match.api.faces.TrackFaces::raw)
                .toList();
        if (raw.isEmpty()) {
            unreadable.incrementAndGet();
            return;
        }
        float[] unit = TemplateFusion.of(raw).unit();
        synchronized (this) {
            if (namesErased(m)) { // erased while its faces were read
                return;
            }
            entries.removeIf(e -> e.decision().matchId().equals(m.matchId()));
            entries.addFirst(new Entry(m, model, unit, raw.size()));
            prune(nowUs());
        }
    }

    /**
     * The tracks of every camera whose last face is at most {@code within} old, closest to track {@code camera/track}
     * first: at most {@code limit}, each at cosine {@code minScore} or more, the track itself left out. Empty when the
     * track has no template here (not closed yet, its faces no longer readable, or out of the window).
     */
    public synchronized Optional<List<Sighting>> elsewhere(
            String camera, String track, Duration within, int limit, double minScore) {
        long now = nowUs();
        prune(now);
        String id = camera + "/" + track + "/FINAL";
        Entry probe = entries.stream()
                .filter(e -> e.decision().matchId().equals(id))
                .findFirst()
                .orElse(null);
        if (probe == null) {
            return Optional.empty();
        }
        long since = now - within.toNanos() / 1000;
        List<Sighting> out = new ArrayList<>();
        for (Entry e : entries) {
            // the same model name with another length is another model (a test's, a misnamed one): never compared
            if (e == probe
                    || !e.model().equals(probe.model())
                    || e.unit().length != probe.unit().length
                    || e.decision().endTsUs() < since) {
                continue;
            }
            double score = Vectors.dot(probe.unit(), e.unit());
            if (score >= minScore) {
                out.add(new Sighting(e.decision(), score, e.faces()));
            }
        }
        out.sort(Comparator.comparingDouble(Sighting::score).reversed());
        return Optional.of(out.size() > limit ? List.copyOf(out.subList(0, limit)) : out);
    }

    /** The templates held now. */
    public synchronized int size() {
        prune(nowUs());
        return entries.size();
    }

    /** FINAL decisions whose faces could not be read (gone from the faces topic, or dropped in a burst). */
    public long unreadable() {
        return unreadable.get();
    }

    /**
     * Erasure: every track whose decision names the subject ({@code subject} null: any subject of the gallery) leaves,
     * and is not added again.
     */
    public synchronized void erase(String gallery, String subject) {
        erased.erase(gallery, subject);
        entries.removeIf(e -> namesErased(e.decision()));
    }

    private boolean namesErased(Match m) {
        return erased.names(m);
    }

    private boolean expired(Match m, long nowUs) {
        long age = nowUs - m.endTsUs();
        return age > settings.window().toNanos() / 1000
                || (m.decision() != Match.Decision.HIT && age > unknownRetention.toNanos() / 1000);
    }

    private void prune(long nowUs) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            if (expired(it.next().decision(), nowUs)) {
                it.remove();
            }
        }
        while (entries.size() > settings.maxTracks()) {
            entries.removeLast();
        }
    }

    private long nowUs() {
        return clock.millis() * 1000;
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
