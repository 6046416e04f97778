package io.facestream.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.topics.TopicCatalog;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

    @Test
    void headersWinOverOffsetAndTimestamp() throws Exception {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(7));
        h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(1_700_000_000_000_001L));
        h.add(FrameHeaders.FACES, "[]".getBytes(StandardCharsets.UTF_8));
        Frame f = FrameReader.read(record("lobby", jpeg(), h));
        assertEquals(7, f.seq());
        assertEquals(1_700_000_000_000_001L, f.captureMicros());
        assertEquals(1_700_000_000_000L, f.captureMillis());
        assertEquals("[]", f.facesJson());
    }

    @Test
    void byteArrayKeysAreReadAsUtf8() throws Exception {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(
                TopicCatalog.FRAMES,
                0,
                3,
                5_000L,
                TimestampType.CREATE_TIME,
                0,
                0,
                "door-2".getBytes(StandardCharsets.UTF_8),
                jpeg(),
                new RecordHeaders(),
                Optional.empty());
        assertEquals("door-2", FrameReader.read(r).camera().value());
    }

    @Test
    void badRecordsAreRefusedWithTheirReason() throws Exception {
        byte[] jpeg = jpeg();
        RecordHeaders badSeq = new RecordHeaders();
        badSeq.add(FrameHeaders.SEQ, "twelve".getBytes(StandardCharsets.UTF_8));
        RecordHeaders badTs = new RecordHeaders();
        badTs.add(FrameHeaders.CAPTURE_TS, "1.5e9".getBytes(StandardCharsets.UTF_8));
        RecordHeaders negative = new RecordHeaders();
        negative.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(-1));

        assertReason(record(null, jpeg, new RecordHeaders()), "no key");
        assertReason(record("bad id", jpeg, new RecordHeaders()), "invalid camera id 'bad id'");
        assertReason(record("cam", new byte[0], new RecordHeaders()), "empty value");
        assertReason(
                record("cam", "hello".getBytes(StandardCharsets.UTF_8), new RecordHeaders()),
                "not a JPEG or PNG image (starts with 68656c6c)");
        assertReason(record("cam", jpeg, badSeq), "header fs.seq is not a decimal integer: 'twelve'");
        assertReason(record("cam", jpeg, badTs), "header fs.capture-ts is not a decimal integer");
        assertReason(record("cam", jpeg, negative), "fs.seq is negative");
    }

    @Test
    void cameraIdsAreValidated() {
        assertEquals("cam_01-A", CameraId.of("cam_01-A").value());
        for (String bad : List.of("", "-cam", "a.b", "a/b", "x".repeat(65), "café")) {
            var e = assertThrows(IllegalArgumentException.class, () -> CameraId.of(bad));
            assertTrue(e.getMessage().contains("camera id"), e.getMessage());
        }
    }

    private static void assertReason(ConsumerRecord<String, byte[]> r, String expected) {
        var e = assertThrows(InvalidFrameException.class, () -> FrameReader.read(r));
        assertTrue(e.getMessage().startsWith("facestream.frames-0@3: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static ConsumerRecord<String, byte[]> record(String key, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>(
                TopicCatalog.FRAMES,
                0,
                3,
                5_000L,
                TimestampType.CREATE_TIME,
                0,
                0,
                key,
                value,
                headers,
                Optional.empty());
    }

    private static byte[] jpeg() throws Exception {
        BufferedImage img = new BufferedImage(16, 12, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(3, 3, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
