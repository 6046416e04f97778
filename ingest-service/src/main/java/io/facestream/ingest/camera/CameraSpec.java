package io.facestream.ingest.camera;

import io.facestream.core.events.CameraId;
import io.facestream.core.security.Redact;
import io.facestream.ingest.source.CameraSource;
import java.util.Map;

/** A checked camera: a valid id, a source that exists, and its options. */
public record CameraSpec(CameraId id, CameraSource source, CameraOptions options) {

    /**
     * Checks a request against the defaults.
     *
     * @throws InvalidCameraException naming the camera as written and what is wrong with it
     */
    public static CameraSpec resolve(CameraRequest request, CameraOptions defaults) {
        try {
            if (request.source() == null || request.source().isEmpty()) {
                throw new IllegalArgumentException("no source: expected ID=SOURCE, e.g. lobby=/footage/lobby.mp4");
            }
            CameraId id = CameraId.of(request.id());
            CameraOptions options = defaults;
            for (Map.Entry<String, String> o : request.options().entrySet()) {
                options = options.with(o.getKey(), o.getValue());
            }
            return new CameraSpec(id, CameraSource.of(request.source()), options);
        } catch (IllegalArgumentException e) {
            throw new InvalidCameraException(
                    Redact.credentials("camera '" + request.text() + "': " + e.getMessage()), e);
        }
    }

    public static CameraSpec parse(String text, CameraOptions defaults) {
        return resolve(CameraRequest.parse(text), defaults);
    }
}
