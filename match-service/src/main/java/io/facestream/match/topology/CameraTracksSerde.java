package io.facestream.match.topology;

import io.facestream.core.events.JsonSerde;
import io.facestream.match.track.CameraTracks;

/** The tracker state store's value serde: JSON, so a changelog record can be read by a person when debugging. */
final class CameraTracksSerde {
    private CameraTracksSerde() {}

    static JsonSerde<CameraTracks> create() {
        return new JsonSerde<>(CameraTracks.class);
    }
}
