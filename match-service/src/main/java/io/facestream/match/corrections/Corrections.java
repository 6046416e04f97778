package io.facestream.match.corrections;

import com.google.protobuf.InvalidProtocolBufferException;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Verdict;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.SegmentRoll;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.vector.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators' feedback has taught this instance, rebuilt from the compacted {@code facestream.feedback} topic
 * (followed from its beginning, so it survives restarts and every instance holds the same): the negative exemplars
 * (every REJECT that carries the track's template, by gallery, subject and model) and which decisions already have
 * feedback (the review queue leaves them out). A tombstone (erasure of the subject, the unknown-retention sweep)
 * removes the exemplar with its record. The API also applies its own feedback at once ({@link #accept(String,
 * Feedback)}), so a rejection changes the next decision without waiting for the follower; both are keyed by match id,
 * so applying twice is harmless.
 */
public final class Corrections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Corrections.class);

    /** A rejected track: its template is a negative of {@code subject} in {@code gallery}, model {@code model}. */
    public record Negative(String matchId, String gallery, String subject, String model, float[] unit, double score) {}

    /** A rejected decision's score: a non-mated score of its gallery and model (with or without a template). */
    public record Rejection(String matchId, String gallery, String model, double score) {}

    private final Map<String, Feedback> feedback = new HashMap<>(); // match id -> its latest feedback
    private final Map<String, Negative> negatives = new HashMap<>(); // match id -> negative exemplar
    private final Map<String, Rejection> rejected = new HashMap<>(); // match id -> rejected score
    private final Map<String, List<Negative>> bySubject = new HashMap<>(); // gallery/subject/model -> negatives
    private TopicFollower follower;
    private final java.util.concurrent.CountDownLatch caughtUp = new java.util.concurrent.CountDownLatch(1);

    /** Follows {@code facestream.feedback} from its beginning. */
    public static Corrections follow(KafkaConnection kafka) {
        Corrections c = new Corrections();
        c.follower = TopicFollower.replay(
                kafka, TopicCatalog.FEEDBACK, "feedback-corrections", Duration.ofMillis(500), c::accept);
        return c;
    }

    /** Without a follower: only what is given to {@link #accept(String, Feedback)} (tests, tools). */
    public static Corrections inMemory() {
        return new Corrections();
    }

    private void accept(ConsumerRecords<String, byte[]> records, TopicFollower.Replay replay) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null || SegmentRoll.KEY.equals(r.key())) {
                continue;
            }
            if (r.value() == null) {
                remove(r.key());
                continue;
            }
            try {
                accept(r.key(), Feedback.parseFrom(r.value()));
            } catch (InvalidProtocolBufferException e) {
                LOG.warn(
                        "unreadable feedback {}-{}@{}: not used as a correction", r.topic(), r.partition(), r.offset());
            }
        }
        if (replay.caughtUp()) {
            caughtUp.countDown();
        }
    }

    /** The latest feedback about {@code matchId} (it replaces any earlier one, as compaction does). */
    public synchronized void accept(String matchId, Feedback f) {
        remove(matchId);
        feedback.put(matchId, f);
        if (f.getVerdict() == Verdict.REJECT
                && !f.getGallery().isBlank()
                && !f.getModel().isBlank()
                && Double.isFinite(f.getScore())
                && f.getScore() != 0) {
            rejected.put(matchId, new Rejection(matchId, f.getGallery(), f.getModel(), f.getScore()));
        }
        if (f.getVerdict() == Verdict.REJECT
                && !f.getGallery().isBlank()
                && !f.getSubjectId().isBlank()
                && !f.getModel().isBlank()
                && f.getTemplateCount() > 0) {
            float[] v = new float[f.getTemplateCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.getTemplate(i);
            }
            if (!finite(v)) {
                LOG.warn("feedback {} carries a template with a non-finite value: not used as a negative", matchId);
                return;
            }
            Negative n = new Negative(
                    matchId, f.getGallery(), f.getSubjectId(), f.getModel(), Vectors.unit(v), f.getScore());
            negatives.put(matchId, n);
            bySubject
                    .computeIfAbsent(key(n.gallery(), n.subject(), n.model()), k -> new ArrayList<>())
                    .add(n);
        }
    }

    /** Forgets the feedback about {@code matchId} (its tombstone). */
    public synchronized void remove(String matchId) {
        feedback.remove(matchId);
        rejected.remove(matchId);
        Negative n = negatives.remove(matchId);
        if (n != null) {
            String k = key(n.gallery(), n.subject(), n.model());
            List<Negative> l = bySubject.get(k);
            l.removeIf(x -> x.matchId().equals(matchId));
            if (l.isEmpty()) {
                bySubject.remove(k);
            }
        }
    }

    /**
     * Forgets everything about a subject of a gallery (every subject of it when {@code subjectId} is null): its
     * erasure, applied here at once; the tombstones on the topic say the same to every other instance.
     */
    public synchronized int forget(String gallery, String subjectId) {
        List<String> ids = new ArrayList<>();
        feedback.forEach((id, f) -> {
            if (f.getGallery().equals(gallery)
                    && (subjectId == null || f.getSubjectId().equals(subjectId))) {
                ids.add(id);
            }
        });
        ids.forEach(this::remove);
        return ids.size();
    }

    /** The negative exemplars of a subject in one model's space (a copy). */
    public synchronized List<Negative> negatives(String gallery, String subject, String model) {
        List<Negative> l = bySubject.get(key(gallery, subject, model));
        return l == null ? List.of() : List.copyOf(l);
    }

    /** A gallery's rejected decisions in one model's space: non-mated scores of it. */
    public synchronized List<Rejection> rejections(String gallery, String model) {
        return rejected.values().stream()
                .filter(n -> n.gallery().equals(gallery) && n.model().equals(model))
                .toList();
    }

    public synchronized boolean isEmpty() {
        return negatives.isEmpty();
    }

    /** The match ids that have feedback (the review queue leaves them out). */
    public synchronized Set<String> reviewed() {
        return Set.copyOf(feedback.keySet());
    }

    public synchronized boolean hasFeedback(String matchId) {
        return feedback.containsKey(matchId);
    }

    /**
     * Waits until the feedback that was on the topic when following started has been read, so the first decisions
     * after a start already see every negative exemplar.
     *
     * @return false when it was not read within {@code timeout} (decisions go on with what is known so far)
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Whether the follower stopped on an error (null while it follows). */
    public Exception failure() {
        return follower == null ? null : follower.failure();
    }

    private static String key(String gallery, String subject, String model) {
        return gallery + "\u0000" + subject + "\u0000" + model;
    }

    private static boolean finite(float[] v) {
        double sq = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
            sq += (double) x * x;
        }
        return sq > 0;
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
    }
}
