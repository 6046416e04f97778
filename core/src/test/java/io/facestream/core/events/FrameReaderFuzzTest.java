package io.facestream.core.events;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.testing.FuzzInput;
import io.facestream.core.testing.Fuzzing;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Fuzzes {@link FrameReader} and {@link FrameHeaders} with any record a client could put on {@code facestream.frames}:
 * key, headers, timestamp and value. A record is a frame or an {@link InvalidFrameException}; a frame has a
 * non-negative sequence and capture time and a JPEG or PNG value.
 *
 * <p>Input ({@link FuzzInput}): {@code key=} (absent: no key; {@code key-type=bytes|int} changes its type),
 * {@code ts=}, {@code ts-type=create|log|none}, {@code offset=}, {@code h:<name>=<value>} per header (no {@code =}:
 * a header without a value), an empty line, then the value.
 */
class FrameReaderFuzzTest {

    @DictionaryEntries({
        "key=",
        "ts=",
        "ts-type=",
        "offset=",
        "h:fs.seq=",
        "h:fs.capture-ts=",
        "h:fs.faces=",
        "key-type=bytes",
        "no-value",
        "9223372036854775807",
        "-9223372036854775808"
    })
    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        FuzzInput in = FuzzInput.parse(data);
        Object key = null;
        if (in.has("key")) {
            String text = in.text("key", "");
            key = switch (in.text("key-type", "string")) {
                case "bytes" -> in.bytes("key").orElse(null);
                case "int" -> text.length();
                default -> in.text("key").orElse(null);
            };
        }
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, byte[]> f : in.fields()) {
            if (f.getKey().startsWith("h:")) {
                headers.add(f.getKey().substring(2), f.getValue());
            }
        }
        TimestampType type = switch (in.text("ts-type", "create")) {
            case "log" -> TimestampType.LOG_APPEND_TIME;
            case "none" -> TimestampType.NO_TIMESTAMP_TYPE;
            default -> TimestampType.CREATE_TIME;
        };
        long offset = Math.max(0, in.number("offset", 7));
        ConsumerRecord<Object, byte[]> record = new ConsumerRecord<>(
                "facestream.frames",
                0,
                offset,
                in.number("ts", 1_700_000_000_000L),
                type,
                0,
                0,
                key,
                in.has("no-value") ? null : in.body(),
                headers,
                Optional.empty());
        Fuzzing.check(
                () -> {
                    Frame f = FrameReader.read(record);
                    assertNotNull(f.camera());
                    assertTrue(f.seq() >= 0, "negative sequence " + f.seq());
                    assertTrue(f.captureMicros() >= 0, "negative capture time " + f.captureMicros());
                    assertTrue(FrameReader.isJpeg(f.image()) || FrameReader.isPng(f.image()), "not an image");
                },
                InvalidFrameException.class);
        // the header helpers on their own: a long header is a number or an IllegalArgumentException naming it
        Fuzzing.check(
                () -> {
                    FrameHeaders.readLong(headers, FrameHeaders.SEQ);
                    FrameHeaders.readString(headers, FrameHeaders.FACES);
                    assertTrue(new String(FrameHeaders.encodeLong(offset), StandardCharsets.US_ASCII)
                            .equals(Long.toString(offset)));
                },
                IllegalArgumentException.class);
    }
}
