package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.topics.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** What the topology's two error handlers answer: dead letter and go on, or fail the task. */
class DeadLetterHandlersTest {

    /** The context of a record of facestream.faces being processed ({@code topic} null: a punctuation). */
    private static ErrorHandlerContext context(String topic) {
        Headers headers = new RecordHeaders().add("fs.seq", "7".getBytes(StandardCharsets.UTF_8));
        return new ErrorHandlerContext() {
            public String topic() {
                return topic;
            }

            public int partition() {
                return topic == null ? -1 : 2;
            }

            public long offset() {
                return topic == null ? -1 : 41;
            }

            public Headers headers() {
                return headers;
            }

            public String processorNodeId() {
                return "identify";
            }

            public TaskId taskId() {
                return new TaskId(0, 2);
            }

            public long timestamp() {
                return 1_763_792_000_000L;
            }

            public byte[] sourceRawKey() {
                return topic == null ? null : "door".getBytes(StandardCharsets.UTF_8);
            }

            public byte[] sourceRawValue() {
                return topic == null ? null : new byte[] {1, 2, 3};
            }
        };
    }

    /** {@code facestream_dlq_records_total} of this stage and reason code so far. */
    private static double dlq(String reason) {
        var c = io.facestream.core.metrics.Metrics.registry()
                .find("facestream.dlq.records")
                .tag("stage", "match-service")
                .tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aRefusedFaceIsDeadLetteredWithItsReasonAndTheOriginalRecord() {
        double before = dlq("embedding");
        ProcessingExceptionHandler.Response r = new RefusedRecords()
                .handleError(
                        context(TopicCatalog.FACES),
                        new Record<>("door", null, 0L),
                        new InvalidFaceException("embedding", "embedding value 0 of 192 is not finite: NaN"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().getFirst();
        assertEquals(TopicCatalog.DLQ, dead.topic());
        assertEquals("door", new String(dead.key(), StandardCharsets.UTF_8));
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), List.of(dead.value()[0], dead.value()[1], dead.value()[2]));
        assertEquals("embedding value 0 of 192 is not finite: NaN", header(dead, DeadLetter.REASON));
        assertEquals("match-service", header(dead, DeadLetter.STAGE));
        assertEquals(TopicCatalog.FACES, header(dead, DeadLetter.SOURCE_TOPIC));
        assertEquals("2", header(dead, DeadLetter.SOURCE_PARTITION));
        assertEquals("41", header(dead, DeadLetter.SOURCE_OFFSET));
        assertEquals("7", header(dead, "fs.seq"), "the original headers are kept");
        assertEquals(1_763_792_000_000L, dead.timestamp());
        assertEquals(before + 1, dlq("embedding"), "counted by the rule it broke");
    }

    @Test
    void inputRefusedFurtherDownIsDeadLetteredNamingTheStep() {
        ProcessingExceptionHandler.Response r = new RefusedRecords()
                .handleError(
                        context(TopicCatalog.FACES),
                        new Record<>("door", null, 0L),
                        new IllegalArgumentException("model ':' must be written name:version"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals(
                "processing failed in identify: model ':' must be written name:version",
                header(r.deadLetterQueueRecords().getFirst(), DeadLetter.REASON));
    }

    @Test
    void otherFailuresFailTheTaskAndPunctuationsHaveNothingToDeadLetter() {
        double before = dlq("processing");
        ProcessingExceptionHandler.Response io = new RefusedRecords()
                .handleError(
                        context(TopicCatalog.FACES),
                        new Record<>("door", null, 0L),
                        new IllegalStateException("store closed"));
        assertEquals(ProcessingExceptionHandler.Result.FAIL, io.result());
        ProcessingExceptionHandler.Response punctuation =
                new RefusedRecords().handleError(context(null), null, new IllegalArgumentException("cannot fuse"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, punctuation.result());
        assertTrue(punctuation.deadLetterQueueRecords().isEmpty());
        assertEquals(before, dlq("processing"), "nothing written, nothing counted");
    }

    @Test
    void anUndecodableRecordIsDeadLetteredAsItCame() {
        double before = dlq("undecodable");
        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>(
                TopicCatalog.FACES,
                1,
                9,
                1_763_792_000_000L,
                TimestampType.CREATE_TIME,
                4,
                12,
                "door".getBytes(StandardCharsets.UTF_8),
                "not protobuf".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(),
                Optional.empty());
        DeserializationExceptionHandler.Response r = new UndecodableFaces()
                .handleError(
                        context(TopicCatalog.FACES),
                        raw,
                        new org.apache.kafka.common.errors.SerializationException(
                                "record on facestream.faces is not a valid FaceObservation"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().getFirst();
        assertEquals("not protobuf", new String(dead.value(), StandardCharsets.UTF_8));
        assertEquals("record on facestream.faces is not a valid FaceObservation", header(dead, DeadLetter.REASON));
        assertEquals("9", header(dead, DeadLetter.SOURCE_OFFSET));
        assertEquals(before + 1, dlq("undecodable"));
    }
}
