package io.facestream.match.topology;

import io.facestream.core.events.FaceObservation;
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

/**
 * Faces in, track events out. Loads the camera's state, checks the face ({@link FaceValidator}), lets the
 * {@link Tracker} take one step, stores the result and forwards the events to the identify step. A face the validator
 * refuses throws {@link InvalidFaceException} before anything is stored; {@link RefusedRecords} dead-letters it and
 * the partition goes on (records that do not parse never get here: {@link UndecodableFaces}).
 */
final class TrackProcessor implements Processor<String, FaceObservation, String, Object> {
    static final String STAGE = "match-service";

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
        this.startedMs = System.currentTimeMillis();
        context.schedule(idleCheck, PunctuationType.WALL_CLOCK_TIME, this::closeIdleCameras);
    }

    @Override
    public void process(Record<String, FaceObservation> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        CameraTracks state = record.key() == null ? null : store.get(record.key());
        validator.check(record.key(), record.value(), state);
        Sighting sighting = Sighting.of(record.value(), meta.partition(), meta.offset());
        metrics.faces.increment();
        Tracker.Step step = tracker.observe(state == null ? CameraTracks.fresh() : state, sighting, System.currentTimeMillis());
        if (step.late()) {
            metrics.lateFaces.increment();
            return;
        }
        store.put(sighting.cameraId(), step.state());
        emit(step.events(), record.key());
    }

    private void closeIdleCameras(long nowMs) {
        List<KeyValue<String, CameraTracks>> cameras = new ArrayList<>();
        try (KeyValueIterator<String, CameraTracks> it = store.all()) {
            it.forEachRemaining(cameras::add);
        }
        for (KeyValue<String, CameraTracks> kv : cameras) {
            // Silence counts from this task's (re)start at the earliest: after a crash or a rebalance the camera's
            // backlog is still unread, and closing its tracks now would split each open track in two.
            CameraTracks seen = kv.value.lastArrivalMs() >= startedMs ? kv.value
                    : new CameraTracks(kv.value.nextTrackId(), kv.value.maxTsUs(), startedMs, kv.value.open());
            Tracker.Step step = tracker.closeIfIdle(kv.key, seen, nowMs);
            if (!step.events().isEmpty()) {
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
            context.forward(new Record<String, Object>(key == null ? e.cameraId() : key, e, tsMs), MatchTopology.IDENTIFY);
        }
    }
}
