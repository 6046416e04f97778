package io.facestream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.demo.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The pipeline against the broker that docker-compose.yml runs: the {@code apache/kafka} image of the compose file (the
 * version the build uses, as {@code DockerComposeTest} checks), started by Testcontainers with the compose file's broker
 * settings. {@code topics} makes the topics, a subject is enrolled through the API, the {@code ingest} command sends
 * a camera of frames of the same woman in another photograph, and the embed and match services must decide a FINAL
 * HIT for her. The other tests run on the in-JVM broker ({@code @KafkaBroker}); this one shows the services need
 * nothing of it. It needs a Docker engine: without one it is reported as skipped ({@code disabledWithoutDocker}), by
 * design, and the rest of the suite does not depend on it.
 */
@Integration
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaPipelineTest {
    private static final String KEY = "container-test-key-0123456789";

    /** The compose broker's settings that are not about its listeners, which Testcontainers sets for the host. */
    private static final List<String> COMPOSE_SETTINGS = List.of(
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS",
            "KAFKA_MESSAGE_MAX_BYTES",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE");

    @Container
    static final KafkaContainer KAFKA = composeBroker();

    @Test
    void ingestEmbedAndMatchDecideAHitOnTheComposeKafkaImage(@TempDir Path dir) throws Exception {
        pipeline(KAFKA.getBootstrapServers(), dir);
    }

    /** Topics, enrolment, ingest, embed and match on the broker at {@code bootstrap}, to a FINAL HIT. */
    static void pipeline(String bootstrap, Path dir) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        Path enrolled = photos.portrait(SamplePhotos.Portrait.SAME_A);
        Path seen = photos.portrait(SamplePhotos.Portrait.SAME_B);

        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap), "topics, as the compose job runs it");
        FacestreamConfig config = DoorScenario.services(dir, "container-test", KEY)
                .flag("kafka.bootstrap", bootstrap)
                .flag("management.port", -1)
                .build();

        try (EmbedService embed = EmbedService.start(config, bootstrap);
                MatchService match = MatchService.start(config, bootstrap)) {
            match.awaitRunning(Duration.ofMinutes(2));
            ApiClient api = new ApiClient(match.apiPort(), KEY);
            DoorScenario.enrolPersonSeven(api, enrolled);

            Path frames = DoorScenario.frames(dir, seen);
            assertEquals(
                    0,
                    FacestreamCli.run(
                            "ingest",
                            "--bootstrap",
                            bootstrap,
                            "--management-port",
                            "-1",
                            "--camera",
                            "door=" + frames + ";image-fps=5",
                            "--fast",
                            "--once"));

            JsonNode decision = DoorScenario.awaitFinal(api, "door", Duration.ofMinutes(2));
            assertEquals("HIT", decision.get("decision").asText(), decision.toString());
            assertEquals(
                    "7", decision.get("candidates").get(0).get("subject_id").asText(), decision.toString());
            assertEquals(null, embed.failure());
        }
    }

    /** The compose file's broker image and settings. */
    private static KafkaContainer composeBroker() {
        try {
            JsonNode kafka = Json.yaml()
                    .readTree(Path.of("")
                            .toAbsolutePath()
                            .getParent()
                            .resolve("docker-compose.yml")
                            .toFile())
                    .at("/services/kafka");
            KafkaContainer container =
                    new KafkaContainer(DockerImageName.parse(kafka.get("image").asText()));
            for (String name : COMPOSE_SETTINGS) {
                container.withEnv(name, kafka.at("/environment/" + name).asText());
            }
            return container;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
