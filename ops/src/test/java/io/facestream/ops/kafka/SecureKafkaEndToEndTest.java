package io.facestream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.broker.BrokerSecurity;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.Integration;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.demo.ApiClient;
import io.facestream.trainer.data.FeedbackCrops;
import io.facestream.trainer.release.ReleasedModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure embedded broker as {@code facestream kafka --secure DIR} starts it ({@link LocalBroker}): ingest → embed
 * → match → API run on it, each service as its own SCRAM user with the {@code client-<service>.properties} the broker
 * wrote, so their least-privilege ACLs are shown to be enough. A client without credentials, and the ingest user
 * writing {@code facestream.gallery}, are refused.
 */
@Integration
class SecureKafkaEndToEndTest {
    private static final String KEY = "secure-test-key-0123456789";

    @Test
    void theServicesRunAsTheirOwnUsersAndEveryoneElseIsRefused(@TempDir Path dir) throws Exception {
        Path photo = SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_A);
        long t0 = System.nanoTime();

        FacestreamConfig config = DoorScenario.services(dir, "secure-test", KEY)
                .flag("kafka.port", 0)
                .flag("kafka.data-dir", dir.resolve("kafka").toString())
                .flag("kafka.secure-dir", dir.resolve("secure").toString())
                .build();

        try (EmbeddedKafka kafka = LocalBroker.start(config)) {
            BrokerSecurity security = kafka.security();
            String bootstrap = kafka.bootstrapServers();
            System.out.printf("secure broker with users and ACLs ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (String user : ServiceAcls.USERS) {
                assertFalse(
                        Files.readString(security.clientPropertiesFile(user)).isBlank());
            }

            // the administrator makes the topics; every other user may not
            assertEquals(
                    0,
                    FacestreamCli.run(
                            "topics",
                            "--bootstrap",
                            bootstrap,
                            "--set",
                            "kafka.properties-file=" + security.clientPropertiesFile("admin")));
            assertEquals(
                    1,
                    FacestreamCli.run(
                            "topics",
                            "--bootstrap",
                            bootstrap,
                            "--set",
                            "kafka.properties-file=" + security.clientPropertiesFile("match")));

            try (EmbedService embed = EmbedService.start(as(config, security, "embed"), bootstrap);
                    MatchService match = MatchService.start(as(config, security, "match"), bootstrap)) {
                match.awaitRunning(Duration.ofMinutes(2));
                ApiClient api = new ApiClient(match.apiPort(), KEY);
                // enrolment goes through the match user's gallery writer and replica
                DoorScenario.enrolPersonSeven(api, photo);

                // ingest: the command, as the ingest user (it may not create topics, and says so)
                Path frames = DoorScenario.frames(dir, photo);
                assertEquals(
                        0,
                        FacestreamCli.run(
                                "ingest",
                                "--bootstrap",
                                bootstrap,
                                "--management-port",
                                "-1",
                                "--set",
                                "kafka.properties-file=" + security.clientPropertiesFile("ingest"),
                                "--camera",
                                "door=" + frames + ";image-fps=5",
                                "--fast",
                                "--once"));

                JsonNode hit = DoorScenario.awaitFinal(api, "door", Duration.ofMinutes(2));
                assertEquals("HIT", hit.get("decision").asText(), hit.toString());
                assertEquals("7", hit.get("candidates").get(0).get("subject_id").asText(), hit.toString());
                // the API reads the crop back from facestream.faces as the match user
                String[] ref = hit.get("best_face").asText().split("/");
                HttpResponse<byte[]> crop = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + match.apiPort() + "/api/faces/"
                                                + ref[1] + "/" + ref[2] + "/crop"))
                                        .header("Authorization", "Bearer " + KEY)
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, crop.statusCode());
                assertTrue(crop.body().length > 100 && (crop.body()[0] & 0xff) == 0xff, "a JPEG crop");
                // feedback: written by the match user, read by the trainer user
                api.json(
                        "POST",
                        "/api/feedback",
                        Map.of("match_id", hit.get("match_id").asText(), "verdict", "confirm"));
            }
            // live mode: a frame from an outage (a minute old) goes through the catch-up pass, which needs the embed
            // user's ACLs on facestream.late-frames and on the group <group-id>-catch-up
            try (EmbedService live = EmbedService.start(
                            as(config, security, "embed")
                                    .with(Map.of(
                                            "embed.service.mode", "live", "embed.service.instance-id", "secure-live")),
                            bootstrap);
                    var producer = new KafkaProducer<String, byte[]>(
                            KafkaClients.producer(connection(security, "ingest", bootstrap), "secure-test-outage"))) {
                ProducerRecord<String, byte[]> old =
                        new ProducerRecord<>(TopicCatalog.FRAMES, "gate", Files.readAllBytes(photo));
                old.headers()
                        .add(
                                io.facestream.core.events.FrameHeaders.CAPTURE_TS,
                                io.facestream.core.events.FrameHeaders.encodeLong(
                                        (System.currentTimeMillis() - 60_000) * 1000));
                producer.send(old).get(30, TimeUnit.SECONDS);
                assertTrue(
                        caughtUpFace(connection(security, "match", bootstrap), "gate", Duration.ofMinutes(1)),
                        "the outage's face comes out of the catch-up pass, marked catch_up");
                assertEquals(null, live.failure());
            }

            KafkaConnection trainer = connection(security, "trainer", bootstrap);
            FeedbackCrops.Export export =
                    FeedbackCrops.export(trainer, dir.resolve("feedback"), Duration.ofSeconds(30));
            // the API's confirmation carries the track's best faces' crops: the trainer reads it as training data
            assertEquals(Map.of(), export.bad().byReason(), "the trainer reads the feedback");
            assertEquals(1, export.tracks(), export.toString());
            assertTrue(export.crops() >= 1, export.toString());
            assertTrue(
                    ReleasedModels.current(trainer, "mobilefacenet", Duration.ofSeconds(30))
                            .isEmpty(),
                    "and the model releases");

            // refused: a client without credentials (what anyone who reaches the port had before) ...
            long tRefuse = System.nanoTime();
            assertThrows(
                    ExecutionException.class,
                    () -> listTopics(KafkaConnection.of(bootstrap)),
                    "a PLAINTEXT client without credentials");
            // ... and the ingest user writing the gallery, or reading the crops
            KafkaConnection ingest = connection(security, "ingest", bootstrap);
            try (var producer =
                    new KafkaProducer<String, byte[]>(KafkaClients.producer(ingest, "secure-test-intruder"))) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(TopicCatalog.GALLERY, "watchlist", new byte[] {1}))
                                .get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
            }
            try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(ingest, null))) {
                assertThrows(
                        TopicAuthorizationException.class,
                        () -> consumer.partitionsFor(TopicCatalog.FACES, Duration.ofSeconds(10)));
            }
            System.out.printf(
                    "refusals shown in %.1f s; whole test %.1f s%n",
                    (System.nanoTime() - tRefuse) / 1e9, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The configuration a service of {@code user} gets: the broker's {@code client-<user>.properties}. */
    private static FacestreamConfig as(FacestreamConfig config, BrokerSecurity security, String user) {
        return config.with(Map.of(
                "kafka.properties-file", security.clientPropertiesFile(user).toString()));
    }

    private static KafkaConnection connection(BrokerSecurity security, String user, String bootstrap) {
        return KafkaConnection.of(bootstrap, KafkaConnection.readProperties(security.clientPropertiesFile(user), user));
    }

    private static void listTopics(KafkaConnection kafka) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.with(
                KafkaClients.adminConfig(kafka),
                Map.of(
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        5_000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        4_000)))) {
            admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    /** Whether a face of {@code camera} marked catch_up appears on facestream.faces (read as {@code reader}). */
    private static boolean caughtUpFace(KafkaConnection reader, String camera, Duration timeout) throws Exception {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                KafkaClients.consumer(reader, null))) {
            var parts = consumer.partitionsFor(TopicCatalog.FACES).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(TopicCatalog.FACES, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    var o = io.facestream.core.events.FaceObservation.parseFrom(r.value());
                    if (camera.equals(r.key()) && !o.hasProgress() && o.getCatchUp()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
