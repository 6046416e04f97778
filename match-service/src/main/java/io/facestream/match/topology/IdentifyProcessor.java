package io.facestream.match.topology;

import io.facestream.core.events.Match;
import io.facestream.core.logging.LogContext;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import io.facestream.match.decide.Identifier;
import io.facestream.match.rollout.Rollouts;
import io.facestream.match.track.TrackEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Track events in, Match decisions out (searching the gallery replica on this instance). While the track's model
 * version is being rolled out to the gallery ({@link Rollouts}), the event waits in a state store instead: searching
 * old-version vectors with a new-version template would produce confident nonsense. A wall-clock punctuator
 * decides held events, oldest first, as soon as their version is rolled out, or after {@code maxHold} regardless.
 * Holding is part of the task's state, so a crash neither loses nor repeats a held decision.
 */
final class IdentifyProcessor implements Processor<String, Object, String, Match> {
    private static final Logger LOG = LoggerFactory.getLogger(IdentifyProcessor.class);
    private static final Duration RELEASE_CHECK = Duration.ofMillis(250);

    private final Identifier identifier;
    private final Rollouts rollouts;
    private final Duration maxHold;
    private final MatchMetrics metrics;
    private ProcessorContext<String, Match> context;
    private KeyValueStore<String, HeldDecision> held;
    // model id -> decisions of it in the store; a model with held decisions holds its new ones too, to keep order
    private final Map<String, Integer> heldByModel = new HashMap<>();
    private long nextKey;

    IdentifyProcessor(Identifier identifier, Rollouts rollouts, Duration maxHold, MatchMetrics metrics) {
        this.identifier = identifier;
        this.rollouts = rollouts;
        this.maxHold = maxHold;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Match> context) {
        this.context = context;
        this.held = context.getStateStore(MatchTopology.HELD_STORE);
        try (KeyValueIterator<String, HeldDecision> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, HeldDecision> kv = it.next();
                heldByModel.merge(kv.value.track().model(), 1, Integer::sum);
                nextKey = Math.max(nextKey, Long.parseLong(kv.key) + 1);
            }
        }
        if (!heldByModel.isEmpty()) {
            LOG.info("task {} resumes with held decisions {}", context.taskId(), heldByModel);
        }
        context.schedule(RELEASE_CHECK, PunctuationType.WALL_CLOCK_TIME, this::releaseHeld);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (!(record.value() instanceof TrackEvent event)) {
            throw new IllegalStateException("identify step got " + record.value() + " instead of a track event");
        }
        String model = event.track().model();
        if (heldByModel.containsKey(model) || rollouts.holds(identifier.galleryName(), model)) {
            if (!heldByModel.containsKey(model)) {
                LOG.info(
                        "holding decisions of {} until gallery '{}' has its vectors (at most {})",
                        model,
                        identifier.galleryName(),
                        maxHold);
            }
            // zero-padded so the store's key order is arrival order
            held.put(
                    String.format("%019d", nextKey++),
                    HeldDecision.of(event, record.timestamp(), System.currentTimeMillis()));
            heldByModel.merge(model, 1, Integer::sum);
            metrics.decisionsHeld.increment();
            return;
        }
        decide(event, record.key(), record.timestamp());
    }

    private void releaseHeld(long nowMs) {
        if (heldByModel.isEmpty()) {
            return;
        }
        Map<String, Boolean> free = new HashMap<>();
        try (KeyValueIterator<String, HeldDecision> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, HeldDecision> kv = it.next();
                HeldDecision h = kv.value;
                String model = h.track().model();
                boolean ready = free.computeIfAbsent(model, m -> !rollouts.holds(identifier.galleryName(), m));
                boolean tooLong = nowMs - h.heldSinceMs() >= maxHold.toMillis();
                if (!ready && !tooLong) {
                    continue;
                }
                if (!ready) {
                    metrics.decisionsHeldTooLong.increment();
                    LOG.warn(
                            "deciding track {} of camera {} after holding it {} ms: {} is still not rolled out to gallery '{}'",
                            h.track().id(),
                            h.cameraId(),
                            nowMs - h.heldSinceMs(),
                            model,
                            identifier.galleryName());
                }
                decide(h.event(), h.cameraId(), h.timestamp());
                held.delete(kv.key);
                if (heldByModel.merge(model, -1, Integer::sum) == 0) {
                    heldByModel.remove(model);
                    LOG.info("decisions of {} flow again (gallery '{}')", model, identifier.galleryName());
                }
            }
        }
    }

    /**
     * Decides and forwards with a {@code traceparent} header: a child span of the track's newest face, so the decision
     * belongs to the trace of the frame that face came from (a new trace when the face had none, e.g. a track stored
     * before traces were carried).
     */
    private void decide(TrackEvent event, String key, long timestamp) {
        TraceParent face = event.track().trace() == null
                ? null
                : TraceParent.parse(event.track().trace()).orElse(null);
        TraceParent trace = face == null ? TraceParent.root() : face.child();
        try (LogContext ignored = LogContext.of(key, Long.toString(event.track().id()), null, trace.traceId())) {
            Match m = identifier.identify(event, context.currentSystemTimeMs());
            metrics.decision(m, System.currentTimeMillis());
            try (LogContext withMatch = LogContext.of(key, m.trackId(), m.matchId(), trace.traceId())) {
                LOG.debug("{} {} of track {}: {}", m.stage(), m.decision(), m.trackId(), m.matchId());
            }
            context.forward(new Record<>(key, m, timestamp, TraceHeaders.set(new RecordHeaders(), trace)));
        }
    }
}
