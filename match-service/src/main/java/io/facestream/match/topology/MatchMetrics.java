package io.facestream.match.topology;

import io.facestream.core.events.Match;
import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Counters of the matching topology, on the process's one registry (scraped by the API's /metrics). */
final class MatchMetrics {
    final Counter faces;
    final Counter lateFaces;
    final Counter progressRecords;
    final Counter catchUpFaces;
    final Counter tracksClosedStalled;
    final Counter tracksConfident;
    final Counter tracksClosed;
    final Counter tracksWithoutAcceptedFaces;
    final Counter decisionsHeld;
    final Counter decisionsHeldTooLong;
    private final MeterRegistry registry;

    MatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        faces = Counter.builder("facestream_match_faces")
                .description("faces consumed by the tracker")
                .register(registry);
        lateFaces = Counter.builder("facestream_match_late_faces")
                .description("faces older than the camera's reorder window, not tracked")
                .register(registry);
        catchUpFaces = Counter.builder("facestream_match_catch_up_faces")
                .description("faces of the embed service's catch-up pass, tracked apart as late tracks")
                .register(registry);
        progressRecords = Counter.builder("facestream_match_progress_records")
                .description("embed-service progress records (frames without faces, silence) consumed by the tracker")
                .register(registry);
        tracksClosedStalled = Counter.builder("facestream_match_tracks_closed_stalled")
                .description("tracks closed after match.track.stall-close without any record of a camera whose embed "
                        + "service reports progress")
                .register(registry);
        tracksConfident = Counter.builder("facestream_match_tracks_confident").register(registry);
        tracksClosed = Counter.builder("facestream_match_tracks_closed").register(registry);
        tracksWithoutAcceptedFaces = Counter.builder("facestream_match_tracks_without_accepted_faces")
                .description("closed tracks none of whose faces passed quality: no decision")
                .register(registry);
        decisionsHeld = Counter.builder("facestream_match_decisions_held")
                .description("decisions that waited for their model version to be rolled out to the gallery")
                .register(registry);
        decisionsHeldTooLong = Counter.builder("facestream_match_decisions_held_too_long")
                .description("held decisions taken after match.rollout.max-hold without the roll-out finishing")
                .register(registry);
    }

    static MatchMetrics global() {
        return new MatchMetrics(Metrics.registry());
    }

    /** A face record sent to the DLQ, by the rule it broke ({@link InvalidFaceException#rule()}, undecodable, processing). */
    void deadLetter(String rule) {
        Counter.builder("facestream_match_dead_letters")
                .description("face records sent to facestream.dlq, by the rule they broke")
                .tag("rule", rule)
                .register(registry)
                .increment();
    }

    /** A decision taken at {@code nowMs} (wall clock): also its latency from the capture of the track's last face. */
    void decision(Match m, long nowMs) {
        Timer.builder("facestream_match_decision_latency")
                .description(
                        "capture time of a track's last face to the decision on it, by stage and whether it is late")
                .tag("stage", m.stage().name())
                .tag("late", Boolean.toString(m.late()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofHours(1))
                .serviceLevelObjectives(
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5))
                .register(registry)
                .record(Math.max(0, nowMs - m.endTsUs() / 1000), TimeUnit.MILLISECONDS);
        Counter.builder("facestream_match_decisions")
                .tag("stage", m.stage().name())
                .tag("decision", m.decision().name())
                .tag("late", Boolean.toString(m.late()))
                .register(registry)
                .increment();
    }
}
