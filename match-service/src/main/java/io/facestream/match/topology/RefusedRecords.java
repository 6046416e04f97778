package io.facestream.match.topology;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.logging.LogContext;
import io.facestream.core.metrics.DeadLetterMeter;
import io.facestream.core.trace.TraceHeaders;
import io.facestream.core.trace.TraceParent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The matching topology's {@link ProcessingExceptionHandler}. A face record the {@link FaceValidator} refuses, and any
 * record whose processing throws an {@link IllegalArgumentException} (input the code refuses: the project's
 * convention), goes to {@code facestream.dlq} with the reason (the original key, bytes and headers of the
 * {@code facestream.faces} record that was being processed), in the task's transaction; the partition goes on with
 * the next record. Counted in {@code facestream_match_dead_letters{rule}}.
 *
 * <p>Anything else (a state store or I/O failure) fails the task as before: the stream thread is replaced and resumes
 * from the last commit, which is right for a transient fault and keeps exactly-once intact.
 */
public final class RefusedRecords implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RefusedRecords.class);

    private final MatchMetrics metrics = MatchMetrics.global();

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (!(exception instanceof IllegalArgumentException)) {
            LOG.error(
                    "processing failed in {} of task {}: {}; the stream thread is replaced and resumes from the last commit",
                    context.processorNodeId(),
                    context.taskId(),
                    exception.toString(),
                    exception);
            return Response.fail();
        }
        String rule;
        String reason;
        if (exception instanceof InvalidFaceException invalid) {
            rule = invalid.rule();
            reason = invalid.getMessage();
        } else {
            rule = "processing";
            reason = "processing failed in " + context.processorNodeId() + ": "
                    + (exception.getMessage() == null ? exception.toString() : exception.getMessage());
        }
        metrics.deadLetter(rule);
        if (context.topic() == null) {
            // thrown while a punctuator ran (idle close, held decisions): there is no source record to dead-letter
            LOG.error(
                    "{} (during a punctuation of task {}; nothing to dead-letter)",
                    reason,
                    context.taskId(),
                    exception);
            return Response.resume();
        }
        try (LogContext ignored = logContext(record.key(), context.headers())) {
            logDeadLetter(context, exception, reason);
        }
        DeadLetterMeter.count(TrackProcessor.STAGE, rule);
        return Response.resume(List.of(DeadLetter.of(
                context.topic(),
                context.partition(),
                context.offset(),
                context.timestamp(),
                context.sourceRawKey(),
                context.sourceRawValue(),
                context.headers(),
                TrackProcessor.STAGE,
                reason)));
    }

    /** The camera and, when the record has a valid one, its trace id, for the lines logged about a dead letter. */
    static LogContext logContext(Object key, Headers headers) {
        TraceParent trace = TraceHeaders.peek(headers);
        String camera = switch (key) {
            case null -> null;
            case byte[] b -> new String(b, StandardCharsets.UTF_8);
            default -> key.toString();
        };
        return LogContext.of(camera, null, null, trace == null ? null : trace.traceId());
    }

    private static void logDeadLetter(ErrorHandlerContext context, Exception exception, String reason) {
        if (exception instanceof InvalidFaceException) {
            LOG.warn(
                    "face record {}-{}@{} dead-lettered: {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    reason);
        } else {
            LOG.error(
                    "face record {}-{}@{} dead-lettered: {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    reason,
                    exception);
        }
    }
}
