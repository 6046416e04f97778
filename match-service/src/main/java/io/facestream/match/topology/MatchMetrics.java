package io.facestream.match.topology;

import io.facestream.core.events.Match;
import io.facestream.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

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
        faces = Counter.builder("facestream_match_faces").description("faces consumed by the tracker").register(registry);
        lateFaces = Counter.builder("facestream_match_late_faces")
                .description("faces older than the camera's reorder window, not tracked").register(registry);
        catchUpFaces = Counter.builder("facestream_match_catch_up_faces")
                .description("faces of the embed service's catch-up pass, tracked apart as late tracks").register(registry);
        progressRecords = Counter.builder("facestream_match_progress_records")
                .description("embed-service progress records (frames without faces, silence) consumed by the tracker").register(registry);
        tracksClosedStalled = Counter.builder("facestream_match_tracks_closed_stalled")
                .description("tracks closed after match.track.stall-close without any record of a camera whose embed "
                        + "service reports progress").register(registry);
        tracksConfident = Counter.builder("facestream_match_tracks_confident").register(registry);
        tracksClosed = Counter.builder("facestream_match_tracks_closed").register(registry);
        tracksWithoutAcceptedFaces = Counter.builder("facestream_match_tracks_without_accepted_faces")
                .description("closed tracks none of whose faces passed quality: no decision").register(registry);
        decisionsHeld = Counter.builder("facestream_match_decisions_held")
                .description("decisions that waited for their model version to be rolled out to the gallery").register(registry);
        decisionsHeldTooLong = Counter.builder("facestream_match_decisions_held_too_long")
                .description("held decisions taken after match.rollout.max-hold without the roll-out finishing").register(registry);
    }

    static MatchMetrics global() {
        return new MatchMetrics(Metrics.registry());
    }

    /** A face record sent to the DLQ, by the rule it broke ({@link InvalidFaceException#rule()}, undecodable, processing). */
    void deadLetter(String rule) {
        Counter.builder("facestream_match_dead_letters").description("face records sent to facestream.dlq, by the rule they broke")
                .tag("rule", rule).register(registry).increment();
    }

    void decision(Match m) {
        Counter.builder("facestream_match_decisions").tag("stage", m.stage().name()).tag("decision", m.decision().name())
                .tag("late", Boolean.toString(m.late())).register(registry).increment();
    }
}
