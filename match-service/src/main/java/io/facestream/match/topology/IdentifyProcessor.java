package io.facestream.match.topology;

import io.facestream.core.events.Match;
import io.facestream.match.decide.Identifier;
import io.facestream.match.track.TrackEvent;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Track events in, Match decisions out (searching the gallery replica on this instance). */
final class IdentifyProcessor implements Processor<String, Object, String, Match> {
    private final Identifier identifier;
    private final MatchMetrics metrics;
    private ProcessorContext<String, Match> context;

    IdentifyProcessor(Identifier identifier, MatchMetrics metrics) {
        this.identifier = identifier;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Match> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Object> record) {
        if (!(record.value() instanceof TrackEvent event)) {
            throw new IllegalStateException("identify step got " + record.value() + " instead of a track event");
        }
        Match m = identifier.identify(event);
        metrics.decision(m);
        context.forward(new Record<>(record.key(), m, record.timestamp()));
    }
}
