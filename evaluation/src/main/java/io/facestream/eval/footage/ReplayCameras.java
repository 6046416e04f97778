package io.facestream.eval.footage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Camera ids for one replay: {@code <run>-<n>} for the n-th media file. Media ids (file stems) may hold characters a
 * camera id may not, and a fresh run prefix keeps this replay's frames and faces apart from anything else on the
 * broker, including earlier replays of the same footage.
 */
final class ReplayCameras {
    private final String run;
    private final Map<String, GroundTruth.MediaFaces> byCamera = new HashMap<>();
    private final Map<String, String> byFile = new HashMap<>();

    ReplayCameras(String run, List<GroundTruth.MediaFaces> media) {
        this.run = run;
        for (int i = 0; i < media.size(); i++) {
            String camera = run + "-" + i;
            byCamera.put(camera, media.get(i));
            byFile.put(media.get(i).file(), camera);
        }
    }

    String run() {
        return run;
    }

    String cameraOf(GroundTruth.MediaFaces media) {
        return byFile.get(media.file());
    }

    /** The media replayed as {@code camera}, or null for another run's camera. */
    GroundTruth.MediaFaces media(String camera) {
        return byCamera.get(camera);
    }
}
