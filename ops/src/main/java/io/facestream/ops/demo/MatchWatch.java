package io.facestream.ops.demo;

import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows {@code facestream.matches} (read_committed) from the moment it is created, for the demo's cameras only:
 * prints each decision as it arrives, with the person it is really about, and keeps the final ones for the summary.
 */
final class MatchWatch implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<Match> values = JsonSerde.match().deserializer();
    private final TrackTruth truth;
    private final Set<Integer> enrolled;
    private final String cameraPrefix;
    private final PrintStream out;
    private final Thread thread;
    private final Map<String, TrackTruth.Attributed> finals = new LinkedHashMap<>();
    private final Set<String> provisional = new TreeSet<>();
    private volatile long lastArrivalNanos = System.nanoTime();
    private volatile RuntimeException failure;

    MatchWatch(KafkaConnection kafka, TrackTruth truth, Set<Integer> enrolled, String cameraPrefix, PrintStream out) {
        this.consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        this.truth = truth;
        this.enrolled = enrolled;
        this.cameraPrefix = cameraPrefix;
        this.out = out;
        List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.MATCHES).stream()
                .map(p -> new TopicPartition(TopicCatalog.MATCHES, p.partition()))
                .toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // fixes the start now, before any demo frame is sent
        this.thread = new Thread(this::follow, "demo-match-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || !r.key().startsWith(cameraPrefix)) {
                        continue;
                    }
                    Match m = values.deserialize(r.topic(), r.value());
                    TrackTruth.Attributed a = truth.attribute(m);
                    lastArrivalNanos = System.nanoTime();
                    synchronized (this) {
                        if (m.stage() == Match.Stage.FINAL) {
                            finals.put(m.matchId(), a);
                        } else {
                            provisional.add(m.trackId() + "@" + m.cameraId());
                        }
                    }
                    out.println(line(a));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private String line(TrackTruth.Attributed a) {
        Match m = a.match();
        Match.Candidate best = m.best();
        String who = m.decision() == Match.Decision.HIT ? "person " + best.subjectId() : "unknown";
        String score = best == null
                ? "empty gallery"
                : String.format("best %.3f vs threshold %.3f", best.score(), m.threshold());
        String real = a.subject()
                .map(s -> "person " + s + (enrolled.contains(s) ? " (enrolled)" : " (not enrolled)"))
                .orElse("no labelled face");
        String verdict = m.stage() == Match.Stage.FINAL ? "  => " + Outcome.of(a, enrolled).label : "";
        return String.format(
                "match %-11s camera %s track %-3s %-10s %s, %d faces; truth: %s%s",
                m.stage(), m.cameraId(), m.trackId(), who, score, m.faces(), real, verdict);
    }

    /** Seconds since the last demo decision arrived. */
    double quietSeconds() {
        return (System.nanoTime() - lastArrivalNanos) / 1e9;
    }

    /** True when every track that had a provisional decision also has its final one. */
    synchronized boolean everyTrackFinal() {
        Set<String> closed = new TreeSet<>();
        finals.values()
                .forEach(a -> closed.add(a.match().trackId() + "@" + a.match().cameraId()));
        return closed.containsAll(provisional);
    }

    synchronized List<TrackTruth.Attributed> finals() {
        if (failure != null) {
            throw new IllegalStateException("following facestream.matches failed: " + failure.getMessage(), failure);
        }
        return new ArrayList<>(finals.values());
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5_000);
        consumer.close();
    }
}
