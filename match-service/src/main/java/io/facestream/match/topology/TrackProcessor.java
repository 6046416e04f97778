package io.facestream.match.topology;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.logging.LogContext;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import io.facestream.match.track.CameraTracks;
import io.facestream.match.track.Sighting;
import io.facestream.match.track.TrackEvent;
import io.facestream.match.track.Tracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faces in, track events out. Loads the camera's state, checks the face ({@link FaceValidator}), lets the
 * {@link Tracker} take one step, stores the result and forwards the events to the identify step. A face the validator
 * refuses throws {@link InvalidFaceException} before anything is stored; {@link RefusedRecords} dead-letters it and
 * the partition goes on (records that do not parse never get here: {@link UndecodableFaces}).
 *
 * <p>The embed service's progress records (a FaceObservation with {@code progress} set and no face) move the camera's
 * capture-time clock and report its silence; the wall-clock punctuator only closes tracks of cameras whose embed
 * service reports no progress ({@code match.track.idle-close}), or, as a last resort, of cameras from which nothing
 * at all has come for {@code match.track.stall-close}. Wall-clock time is the task's ({@code currentSystemTimeMs}),
 * so a test driver can simulate it.
 */
final class TrackProcessor implements Processor<String, FaceObservation, String, Object> {
    static final String STAGE = "match-service";
    private static final Logger LOG = LoggerFactory.getLogger(TrackProcessor.class);

    private final Tracker tracker;
    private final FaceValidator validator;
    private final Duration idleCheck;
    private final MatchMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, CameraTracks> store;
    private long startedMs;

    TrackProcessor(Tracker tracker, FaceValidator validator, Duration idleCheck, MatchMetrics metrics) {
        this.tracker = tracker;
        this.validator = validator;
        this.idleCheck = idleCheck;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(MatchTopology.TRACK_STORE);
        this.startedMs = Long.MIN_VALUE; // set by the first record or punctuation: the runtime's clock is ready by then
        context.schedule(idleCheck, PunctuationType.WALL_CLOCK_TIME, this::closeIdleCameras);
    }

    @Override
    public void process(Record<String, FaceObservation> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        FaceObservation o = record.value();
        if (o != null && o.hasProgress()) {
            validator.checkProgress(record.key(), o);
            progress(o, record.key());
            return;
        }
        TraceParent trace = TraceHeaders.read(record.headers(), STAGE).trace();
        try (LogContext ignored = LogContext.of(record.key(), null, null, trace.traceId())) {
            track(record, o, meta, trace);
        }
    }

    private void track(
            Record<String, FaceObservation> record, FaceObservation o, RecordMetadata meta, TraceParent trace) {
        CameraTracks state = record.key() == null ? null : store.get(record.key());
        validator.check(record.key(), o, state);
        Sighting sighting = Sighting.of(o, meta.partition(), meta.offset()).withTrace(trace.format());
        metrics.faces.increment();
        if (o.getCatchUp()) {
            metrics.catchUpFaces.increment();
        }
        Tracker.Step step = tracker.observe(
                state == null ? CameraTracks.fresh() : state, sighting, now(), o.getReportsProgress(), o.getCatchUp());
        if (step.late()) {
            metrics.lateFaces.increment();
            return;
        }
        store.put(sighting.cameraId(), step.state());
        emit(step.events(), record.key());
    }

    /** The embed service's progress on a camera: its clock moves on, and a long enough silence closes its tracks. */
    private void progress(FaceObservation o, String key) {
        metrics.progressRecords.increment();
        CameraTracks state = store.get(o.getCameraId());
        Tracker.Step step = tracker.progress(
                state == null ? CameraTracks.fresh() : state,
                o.getCameraId(),
                o.getCaptureTsUs(),
                o.getProgress().getSilentMs(),
                now());
        store.put(o.getCameraId(), step.state());
        emit(step.events(), key);
    }

    /** The task's wall clock; the first call fixes the task's start, from which silence counts at the earliest. */
    private long now() {
        long now = context.currentSystemTimeMs();
        if (startedMs == Long.MIN_VALUE) {
            startedMs = now;
        }
        return now;
    }

    private void closeIdleCameras(long nowMs) {
        now();
        List<KeyValue<String, CameraTracks>> cameras = new ArrayList<>();
        try (KeyValueIterator<String, CameraTracks> it = store.all()) {
            it.forEachRemaining(cameras::add);
        }
        for (KeyValue<String, CameraTracks> kv : cameras) {
            // Silence counts from this task's (re)start at the earliest: after a crash or a rebalance the camera's
            // backlog is still unread, and closing its tracks now would split each open track in two.
            CameraTracks seen = kv.value.arrivedNoEarlierThan(startedMs);
            Tracker.Step step = tracker.closeIfIdle(kv.key, seen, nowMs);
            if (!step.events().isEmpty()) {
                long live = step.events().stream()
                        .filter(e -> !e.track().late())
                        .count(); // late tracks end with their backlog
                if (seen.progress() && live > 0) {
                    // its embed service would have reported the silence: it is gone (stopped, or its frames
                    // partition moved while the camera was silent), so nothing may ever close these tracks
                    metrics.tracksClosedStalled.increment(live);
                    try (LogContext ignored = LogContext.of(kv.key, null, null, null)) {
                        LOG.warn(
                                "camera {}: nothing for {} ms (match.track.stall-close) although its embed service reports "
                                        + "progress; closing its {} open track(s)",
                                kv.key,
                                nowMs - seen.lastArrivalMs(),
                                live);
                    }
                }
                store.put(kv.key, step.state());
                emit(step.events(), kv.key);
            }
        }
    }

    private void emit(List<TrackEvent> events, String key) {
        for (TrackEvent e : events) {
            if (e instanceof TrackEvent.Closed && e.track().acceptedFaces() == 0) {
                // Nothing to identify: every face of the track was below the quality threshold. Counted, not hidden.
                metrics.tracksWithoutAcceptedFaces.increment();
                continue;
            }
            (e instanceof TrackEvent.Closed ? metrics.tracksClosed : metrics.tracksConfident).increment();
            long tsMs = e.track().lastTsUs() / 1000;
            context.forward(
                    new Record<String, Object>(key == null ? e.cameraId() : key, e, tsMs), MatchTopology.IDENTIFY);
        }
    }
}
