package io.facestream.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.json.Json;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class SerdesTest {

    @Test
    void faceObservationRoundTripsAndTombstonesStayNull() {
        FaceObservation obs = FaceObservation.newBuilder()
                .setCameraId("cam-1")
                .setFrameSeq(42)
                .setCaptureTsUs(1_700_000_000_000_000L)
                .setBox(Box.newBuilder().setX(1).setY(2).setWidth(30).setHeight(40))
                .addLandmarks(Point.newBuilder().setX(10).setY(12))
                .setModel(ModelRef.newBuilder().setName("mobilefacenet").setVersion("1"))
                .addAllEmbedding(List.of(0.5f, -1.25f))
                .setNorm(1.3975f)
                .build();
        var serde = ProtobufSerde.faceObservation();
        byte[] bytes = serde.serializer().serialize("t", obs);
        assertEquals(obs, serde.deserializer().deserialize("t", bytes));
        assertNull(serde.serializer().serialize("t", null));
        assertNull(serde.deserializer().deserialize("t", null));
    }

    @Test
    void garbageNamesTopicAndType() {
        var e = assertThrows(
                SerializationException.class,
                () -> ProtobufSerde.galleryEntry()
                        .deserializer()
                        .deserialize("facestream.gallery", new byte[] {(byte) 0xff, 1, 2}));
        assertTrue(
                e.getMessage().contains("facestream.gallery") && e.getMessage().contains("GalleryEntry"),
                e.getMessage());
    }

    @Test
    void matchJsonIsSnakeCaseAndRoundTrips() throws Exception {
        Match m = new Match(
                "cam/7/final",
                "7",
                "cam",
                10,
                20,
                Match.Stage.FINAL,
                Match.Decision.HIT,
                0.42,
                "watchlist",
                new Match.ModelId("mobilefacenet", "1"),
                List.of(new Match.Candidate("alice", "alice/0", 0.8)),
                5,
                "faces/0/12");
        String json = Json.mapper().writeValueAsString(m);
        assertTrue(
                json.contains("\"match_id\":\"cam/7/final\"")
                        && json.contains("\"decision\":\"HIT\"")
                        && json.contains("\"subject_id\":\"alice\""),
                json);
        var serde = JsonSerde.match();
        assertEquals(m, serde.deserializer().deserialize("t", serde.serializer().serialize("t", m)));
        assertEquals("alice", m.best().subjectId());
    }

    @Test
    void lateMatchCarriesLateAndLateByAndOldJsonReadsAsLive() throws Exception {
        Match late = new Match(
                "cam/c3/FINAL",
                "c3",
                "cam",
                10,
                20,
                Match.Stage.FINAL,
                Match.Decision.UNKNOWN,
                0.42,
                "watchlist",
                new Match.ModelId("mobilefacenet", "1"),
                List.of(),
                2,
                null,
                true,
                61_000);
        String json = Json.mapper().writeValueAsString(late);
        assertTrue(json.contains("\"late\":true") && json.contains("\"late_by_ms\":61000"), json);
        var serde = JsonSerde.match();
        assertEquals(
                late, serde.deserializer().deserialize("t", serde.serializer().serialize("t", late)));
        // a decision written before late decisions existed has neither field: it reads as a live one
        Match old = serde.deserializer()
                .deserialize(
                        "t",
                        ("{\"match_id\":\"cam/1/FINAL\",\"track_id\":\"1\",\"camera_id\":\"cam\","
                                        + "\"start_ts_us\":1,\"end_ts_us\":2,\"stage\":\"FINAL\",\"decision\":\"UNKNOWN\",\"threshold\":0.4,"
                                        + "\"gallery\":\"g\",\"candidates\":[],\"faces\":1}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(old.late());
        assertEquals(0, old.lateByMs());
        assertThrows(
                IllegalArgumentException.class,
                () -> new Match(
                        "c/1/FINAL",
                        "1",
                        "c",
                        1,
                        2,
                        Match.Stage.FINAL,
                        Match.Decision.UNKNOWN,
                        0.4,
                        "g",
                        null,
                        List.of(),
                        1,
                        null,
                        true,
                        -1));
    }

    @Test
    void frameHeadersAreDecimalText() {
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(12));
        h.add(FrameHeaders.CAPTURE_TS, "not-a-number".getBytes());
        assertEquals(12, FrameHeaders.readLong(h, FrameHeaders.SEQ).getAsLong());
        assertTrue(FrameHeaders.readLong(h, FrameHeaders.FACES).isEmpty());
        var e = assertThrows(IllegalArgumentException.class, () -> FrameHeaders.readLong(h, FrameHeaders.CAPTURE_TS));
        assertTrue(e.getMessage().contains("fs.capture-ts"), e.getMessage());
    }
}
