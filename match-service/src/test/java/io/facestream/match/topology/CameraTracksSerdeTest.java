package io.facestream.match.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.match.track.CameraTracks;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tracker's stored state across the upgrade that added late (catch-up) tracks: a changelog from before restores. */
class CameraTracksSerdeTest {

    @Test
    void stateWrittenBeforeLateTracksExistedRestoresWithNone() {
        String before =
                "{\"next_track_id\":7,\"max_ts_us\":1000,\"last_arrival_ms\":5,\"progress\":true,\"open\":[{\"id\":6,"
                        + "\"model\":\"m:1\",\"start_ts_us\":900,\"last_ts_us\":1000,\"last_frame_seq\":3,"
                        + "\"last_box\":{\"x\":1,\"y\":2,\"width\":3,\"height\":4},\"template\":{\"sum\":[3.0,4.0],\"faces\":2},"
                        + "\"observed\":2,\"provisional_sent\":false}]}";
        var serde = CameraTracksSerde.create();
        CameraTracks restored = serde.deserializer().deserialize("t", before.getBytes(StandardCharsets.UTF_8));
        assertEquals(7, restored.nextTrackId());
        assertEquals(1, restored.open().size());
        assertFalse(restored.open().get(0).late(), "a stored track is a live one");
        assertTrue(restored.lateOpen().isEmpty());
        assertEquals(2, restored.open().get(0).acceptedFaces());
        CameraTracks again =
                serde.deserializer().deserialize("t", serde.serializer().serialize("t", restored));
        assertEquals(restored.lateOpen(), again.lateOpen());
        assertEquals(restored.lateMaxTsUs(), again.lateMaxTsUs());
        assertEquals(restored.open().get(0).id(), again.open().get(0).id());
    }
}
