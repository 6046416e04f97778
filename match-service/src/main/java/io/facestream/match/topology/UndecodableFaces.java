package io.facestream.match.topology;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.metrics.DeadLetterMeter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matching topology's {@link DeserializationExceptionHandler}: a record of {@code facestream.faces} that is not a
 * FaceObservation goes to {@code facestream.dlq} (original key, bytes and headers, reason in {@code fs.dlq.*}) in the
 * task's transaction, is counted under {@code facestream_match_dead_letters{rule="undecodable"}}, and the partition
 * goes on with the next record.
 */
public final class UndecodableFaces implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UndecodableFaces.class);

    private final MatchMetrics metrics = MatchMetrics.global();

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String reason = exception.getMessage() == null ? exception.toString() : exception.getMessage();
        try (var ignored = RefusedRecords.logContext(record.key(), record.headers())) {
            LOG.warn(
                    "face record {}-{}@{} dead-lettered: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    reason);
        }
        metrics.deadLetter("undecodable");
        DeadLetterMeter.count(TrackProcessor.STAGE, "undecodable");
        return Response.resume(List.of(DeadLetter.of(record, TrackProcessor.STAGE, reason)));
    }
}
