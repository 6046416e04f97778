package io.facestream.core.events;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Turns a {@code facestream.frames} record into a {@link Frame}. Any Kafka client may feed the topic: a record with a
 * camera id key and a JPEG or PNG value is a frame even without headers (its sequence is then the offset and its
 * capture time the record timestamp). What is present must be right: a bad header or a value that is no image is
 * refused with an {@link InvalidFrameException} whose message names the record and the reason, ready for
 * {@link DeadLetter}.
 */
public final class FrameReader {
    private FrameReader() {}

    /** Reads a record whose key is a String (as {@code KafkaClients.consumer} gives) or UTF-8 bytes. */
    public static Frame read(ConsumerRecord<?, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        CameraId camera = camera(record.key(), where);
        byte[] image = record.value();
        if (image == null || image.length == 0) {
            throw new InvalidFrameException(where + ": empty value, expected JPEG or PNG bytes");
        }
        if (!isJpeg(image) && !isPng(image)) {
            throw new InvalidFrameException(
                    where + ": value is not a JPEG or PNG image (starts with " + hex(image) + ")");
        }
        long seq = header(record, FrameHeaders.SEQ, where).orElse(record.offset());
        OptionalLong captureTs = header(record, FrameHeaders.CAPTURE_TS, where);
        long captureMicros;
        if (captureTs.isPresent()) {
            captureMicros = captureTs.getAsLong();
        } else if (record.timestamp() >= 0 && record.timestampType() != TimestampType.NO_TIMESTAMP_TYPE) {
            if (record.timestamp() > Long.MAX_VALUE / 1000) {
                throw new InvalidFrameException(where + ": record timestamp " + record.timestamp()
                        + " ms is beyond any capture time in epoch microseconds");
            }
            captureMicros = record.timestamp() * 1000L;
        } else {
            throw new InvalidFrameException(
                    where + ": no " + FrameHeaders.CAPTURE_TS + " header and no record timestamp");
        }
        if (seq < 0) {
            throw new InvalidFrameException(where + ": header " + FrameHeaders.SEQ + " is negative (" + seq + ")");
        }
        if (captureMicros < 0) {
            throw new InvalidFrameException(
                    where + ": header " + FrameHeaders.CAPTURE_TS + " is negative (" + captureMicros + ")");
        }
        return new Frame(
                camera, seq, captureMicros, image, FrameHeaders.readString(record.headers(), FrameHeaders.FACES));
    }

    private static CameraId camera(Object key, String where) {
        String text = switch (key) {
            case null -> throw new InvalidFrameException(where + ": no key, expected the camera id");
            case String s -> s;
            case byte[] b -> new String(b, StandardCharsets.UTF_8);
            default ->
                throw new InvalidFrameException(
                        where + ": key of type " + key.getClass().getSimpleName() + ", expected the camera id as text");
        };
        try {
            return CameraId.of(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(where + ": key is not a camera id: " + e.getMessage());
        }
    }

    private static OptionalLong header(ConsumerRecord<?, byte[]> record, String name, String where) {
        try {
            return FrameHeaders.readLong(record.headers(), name);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(where + ": " + e.getMessage());
        }
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF;
    }

    static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
