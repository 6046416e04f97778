package io.facestream.ops.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.demo.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The pipeline scenario the broker tests share (a secured broker, a container's broker): one embed and one match
 * service in this JVM, person 7 enrolled into a SINGLE watchlist from one photo, a folder of frames of another photo of
 * the same person ingested as camera {@code door}, and its FINAL decision awaited through the API.
 */
final class DoorScenario {
    private DoorScenario() {}

    /**
     * The embed and match services' configuration under {@code dir}: the zoo's models, complete mode, one-second
     * tracks, the API on a free port with admin key {@code key}. Callers add the broker's keys.
     */
    static FacestreamConfig.Builder services(Path dir, String instance, String key) {
        return FacestreamConfig.builder()
                .isolated()
                .flag("models.dir", ModelZoo.defaultStore().root().toString())
                .flag("embed.service.instance-id", instance)
                .flag("embed.service.state-dir", dir.resolve("embed").toString())
                .flag("embed.service.mode", "complete")
                .flag("match.state-dir", dir.resolve("match-state").toString())
                .flag("match.track.idle-close", "1s")
                .flag("match.track.idle-check", "200ms")
                .flag("gallery.index-dir", dir.resolve("gallery").toString())
                .flag("api.port", 0)
                .flag("api.keys.test.key", key)
                .flag("api.keys.test.role", "admin")
                .flag("api.audit-log", dir.resolve("audit.log").toString())
                .flag("api.upload-dir", dir.resolve("uploads").toString());
    }

    /** Person 7 enrolled from {@code photo} into the SINGLE gallery {@code watchlist}. */
    static void enrolPersonSeven(ApiClient api, Path photo) {
        api.json("POST", "/api/galleries", Map.of("name", "watchlist", "kind", "SINGLE"));
        api.upload(
                "/api/galleries/watchlist/subjects",
                Map.of("subject_id", "7", "display_name", "person 7"),
                "image",
                List.of(photo));
    }

    /** Six frames of {@code photo} in {@code dir/frames}: the camera's footage for {@code ingest}. */
    static Path frames(Path dir, Path photo) throws IOException {
        Path frames = Files.createDirectories(dir.resolve("frames"));
        for (int i = 0; i < 6; i++) {
            Files.copy(photo, frames.resolve(String.format("frame-%02d.jpeg", i)));
        }
        return frames;
    }

    /** The camera's FINAL decision, as the API lists it. */
    static JsonNode awaitFinal(ApiClient api, String camera, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode page = null;
        while (System.nanoTime() < deadline) {
            page = api.json("GET", "/api/matches?camera=" + camera + "&stage=FINAL", null);
            if (page.get("matches").size() > 0) {
                return page.get("matches").get(0);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no FINAL decision for camera " + camera + " within " + timeout + ": " + page);
    }
}
