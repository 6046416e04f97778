package io.facestream.ops.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * Erasure end to end, with the real models, a real broker and compaction: two subjects are enrolled through the API,
 * both get operator feedback, one is deleted through the API; with short compaction settings on the gallery and
 * feedback topics, {@code erasure verify} then finds zero traces of it (it found them before the delete), while the
 * other subject is untouched and still matched. A replica that was offline during the delete rebuilds from the
 * compacted topic and holds nothing of the deleted subject either.
 */
@KafkaBroker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErasureEndToEndTest {
    private static final String ADMIN = "erasure-admin-key-0123456789";
    /** Short compaction settings: the cleaner (backoff 1 s on the embedded broker) runs within seconds. */
    private static final Map<String, String> FAST_COMPACTION = Map.of(
            "segment.ms", "2000",
            "min.cleanable.dirty.ratio", "0.01",
            "min.compaction.lag.ms", "0",
            "max.compaction.lag.ms", "1000",
            "delete.retention.ms", "2000");

    private static final List<String> TOPICS = List.of(TopicCatalog.GALLERY, TopicCatalog.FEEDBACK);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String gallery = "erasure-" + run;
    private final String keep = "keep-" + run;
    private final String erase = "erase-" + run;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Map<String, String>> saved = new HashMap<>();
    private String bootstrap;
    private MatchService service;
    private Path dir;
    private byte[] img1, img2, img3;

    @BeforeAll
    void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        this.bootstrap = bootstrap;
        SamplePhotos photos = SamplePhotos.fetch();
        img1 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A));
        img2 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        img3 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.OTHER));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            for (String t : TOPICS) {
                saved.put(t, setConfigs(admin, t, FAST_COMPACTION));
            }
        }
        dir = Path.of("target", "erasure-test", run).toAbsolutePath();
        // an upload left behind by a process that died mid-request: the photo of the subject that will be deleted
        Path stale = Files.createDirectories(dir.resolve("uploads")).resolve("stale-upload");
        Files.write(stale, img3);
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        service =
                MatchService.start(FacestreamConfig.builder().isolated().build().with(settings()), bootstrap);
        assertFalse(Files.exists(stale), "a stale upload is removed when the API starts");
    }

    private Map<String, Object> settings() {
        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("gallery.replica.merge-deletes-after", "1s");
        o.put("gallery.replica.commit-interval", "500ms");
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", "erasure-test-" + run);
        o.put("models.dir", ModelZoo.defaultStore().root().toString());
        return o;
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            for (String t : TOPICS) {
                restoreConfigs(admin, t, saved.getOrDefault(t, Map.of()));
            }
        }
    }

    @Test
    void deletedSubjectLeavesNoTraceWhileTheOtherIsKept() throws Exception {
        assertEquals(
                201,
                send(
                                "POST",
                                "/api/galleries",
                                "application/json",
                                ("{\"name\":\"" + gallery + "\",\"kind\":\"SINGLE\"}").getBytes(StandardCharsets.UTF_8))
                        .statusCode());
        enrol(keep, img1);
        enrol(erase, img3);

        // an offline replica: it has both subjects, then stops before the delete
        Path offlineDir = dir.resolve("offline-replica");
        try (Gallery offline = Gallery.open(GallerySettings.at(offlineDir), bootstrap)) {
            assertTrue(offline.subject(new GalleryKey.OfSubject(gallery, erase)).isPresent());
        }

        // decisions naming each subject, and operator feedback on them (the feedback record holds subject and gallery)
        String camera = "erasure-cam-" + run;
        publishMatch(camera, "1", erase);
        publishMatch(camera, "2", keep);
        awaitMatches(camera, 2);
        for (String track : List.of("1", "2")) {
            HttpResponse<String> fb = send(
                    "POST",
                    "/api/feedback",
                    "application/json",
                    ("{\"match_id\":\"" + camera + "/" + track + "/FINAL\",\"verdict\":\"confirm\"}")
                            .getBytes(StandardCharsets.UTF_8));
            assertEquals(201, fb.statusCode(), fb.body());
        }

        Path audit = dir.resolve("audit.log");
        Set<String> hashes = ErasureScan.hashesFromAudit(audit, erase, gallery);
        assertEquals(2, hashes.size(), "the enrolment line holds the crop's and the photo's SHA-256: " + hashes);
        ErasureScan.Report before = scan(erase, dir.resolve("gallery"));
        assertTrue(before.traces() > 0, "before the delete the scan finds the subject: " + before);
        assertTrue(
                before.locations().stream().anyMatch(l -> l.store().equals("gallery crops") && l.traces() > 0),
                before.toString());
        assertTrue(
                before.locations().stream().anyMatch(l -> l.location().equals(TopicCatalog.FEEDBACK) && l.traces() > 0),
                before.toString());

        HttpResponse<String> deleted = send("DELETE", "/api/galleries/" + gallery + "/subjects/" + erase, null, null);
        assertEquals(204, deleted.statusCode(), deleted.body());

        // the API: the subject is gone, the decision naming it has lost its face data, the other decision has not
        String subjects = send("GET", "/api/galleries/" + gallery + "/subjects", null, null)
                .body();
        assertFalse(subjects.contains(erase), subjects);
        assertTrue(subjects.contains(keep), subjects);
        JsonNode matches = Json.mapper()
                .readTree(
                        send("GET", "/api/matches?camera=" + camera, null, null).body())
                .get("matches");
        for (JsonNode m : matches) {
            boolean namesErased =
                    m.get("candidates").get(0).get("subject_id").asText().equals(erase);
            assertEquals(
                    namesErased,
                    m.path("best_face").isNull() || m.path("best_face").isMissingNode(),
                    m.toString());
        }
        assertTrue(
                Files.readAllLines(audit).stream()
                        .anyMatch(l -> l.contains("\"action\":\"subject.delete\"")
                                && l.contains("\"outcome\":\"ok\"")
                                && l.contains(erase)
                                && l.contains("\"principal\":\"root\"")),
                "the audit log keeps the fact of the deletion: who, when, which subject");

        // compaction, the Lucene merge and the roll markers: zero traces within a minute
        ErasureScan.Report after = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            after = scan(erase, dir.resolve("gallery"));
            if (after.traces() == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        assertEquals(0, after.traces(), "traces left after the delete: " + after);
        assertTrue(after.retained() > 0, "the audit lines and the decision are kept on purpose: " + after);

        // the command: exit 0, and the JSON says the same
        Path json = dir.resolve("verify.json");
        int exit = new CommandLine(new FacestreamCli())
                .execute(
                        "erasure",
                        "verify",
                        "--subject",
                        erase,
                        "--gallery",
                        gallery,
                        "--json",
                        json.toString(),
                        "--set",
                        "kafka.bootstrap=" + bootstrap,
                        "--set",
                        "gallery.index-dir=" + dir.resolve("gallery"),
                        "--set",
                        "match.state-dir=" + dir.resolve("streams"),
                        "--set",
                        "api.upload-dir=" + dir.resolve("uploads"),
                        "--set",
                        "api.audit-log=" + audit);
        assertEquals(0, exit);
        JsonNode report = Json.mapper().readTree(json.toFile());
        assertEquals(0, report.get("traces").asInt(), report.toString());
        assertEquals(2, report.get("hashes").asInt(), report.toString());

        // the other subject: untouched (its records, crops and feedback are all there) and still matched
        ErasureScan.Report kept = scan(keep, dir.resolve("gallery"));
        assertTrue(
                kept.locations().stream().anyMatch(l -> l.store().equals("gallery crops") && l.traces() > 0),
                kept.toString());
        assertTrue(
                kept.locations().stream().anyMatch(l -> l.location().equals(TopicCatalog.FEEDBACK) && l.traces() > 0),
                kept.toString());
        assertTrue(
                kept.locations().stream().anyMatch(l -> l.location().equals(TopicCatalog.GALLERY) && l.traces() > 0),
                kept.toString());
        HttpResponse<String> search =
                post("/api/search", multipart(Map.of("gallery", gallery), "image", "img2.jpeg", img2));
        JsonNode result = Json.mapper().readTree(search.body()).get("results").get(0);
        assertEquals("HIT", result.get("decision").asText(), search.body());
        assertEquals(keep, result.get("candidates").get(0).get("subject_id").asText(), search.body());

        // the replica that was offline during the delete: the tombstones are compacted away, so it rebuilds from the
        // topic (its last commit is older than delete.retention.ms) and has nothing of the deleted subject
        try (Gallery offline = Gallery.open(GallerySettings.at(offlineDir), bootstrap)) {
            assertTrue(offline.subject(new GalleryKey.OfSubject(gallery, keep)).isPresent());
            assertTrue(offline.subject(new GalleryKey.OfSubject(gallery, erase)).isEmpty());
        }
        ErasureScan.Report offlineScan = ErasureScan.scan(
                new ErasureScan.Target(erase, gallery, hashes),
                new ErasureScan.Stores(null, offlineDir, null, null, null));
        assertEquals(0, offlineScan.traces(), "the replica that was offline: " + offlineScan);
    }

    private ErasureScan.Report scan(String subject, Path galleryDir) throws Exception {
        Path audit = dir.resolve("audit.log");
        return ErasureScan.scan(
                new ErasureScan.Target(subject, gallery, ErasureScan.hashesFromAudit(audit, subject, gallery)),
                new ErasureScan.Stores(
                        KafkaConnection.of(bootstrap),
                        galleryDir,
                        dir.resolve("streams"),
                        dir.resolve("uploads"),
                        audit));
    }

    private void enrol(String subject, byte[] image) throws Exception {
        HttpResponse<String> r = post(
                "/api/galleries/" + gallery + "/subjects",
                multipart(Map.of("subject_id", subject), "image", subject + ".jpeg", image));
        assertEquals(201, r.statusCode(), r.body());
    }

    private void publishMatch(String camera, String track, String subject) throws Exception {
        Match m = new Match(
                camera + "/" + track + "/FINAL",
                track,
                camera,
                1_000_000L,
                2_000_000L,
                Match.Stage.FINAL,
                Match.Decision.HIT,
                0.3,
                gallery,
                new Match.ModelId("test", "1"),
                List.of(new Match.Candidate(subject, "still-1", 0.9)),
                3,
                "faces/0/" + (100 + Integer.parseInt(track)));
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.producer(bootstrap, "erasure-test"))) {
            p.send(new ProducerRecord<>(
                            TopicCatalog.MATCHES,
                            camera,
                            JsonSerde.match().serializer().serialize(TopicCatalog.MATCHES, m)))
                    .get();
        }
    }

    private void awaitMatches(String camera, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int total = 0;
        while (System.nanoTime() < deadline) {
            total = Json.mapper()
                    .readTree(send("GET", "/api/matches?camera=" + camera, null, null)
                            .body())
                    .get("total")
                    .asInt();
            if (total >= n) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(n, total, "decisions in the API's match feed");
    }

    private static Map<String, String> setConfigs(Admin admin, String topic, Map<String, String> configs)
            throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config current = admin.describeConfigs(List.of(r))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(r);
        Map<String, String> before = new HashMap<>();
        for (String k : configs.keySet()) {
            ConfigEntry e = current.get(k);
            if (e != null && e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                before.put(k, e.value());
            }
        }
        Collection<AlterConfigOp> ops = new ArrayList<>();
        configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(r, ops)).all().get(30, TimeUnit.SECONDS);
        return before;
    }

    /** Back to what the topic had: the other tests of this JVM share the broker. */
    private static void restoreConfigs(Admin admin, String topic, Map<String, String> before) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Collection<AlterConfigOp> ops = new ArrayList<>();
        for (String k : FAST_COMPACTION.keySet()) {
            ops.add(
                    before.containsKey(k)
                            ? new AlterConfigOp(new ConfigEntry(k, before.get(k)), AlterConfigOp.OpType.SET)
                            : new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE));
        }
        admin.incrementalAlterConfigs(Map.of(r, ops)).all().get(30, TimeUnit.SECONDS);
    }

    private HttpResponse<String> send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.apiPort() + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + ADMIN)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Form(String contentType, byte[] body) {}

    private static Form multipart(Map<String, String> fields, String fileField, String fileName, byte[] content) {
        String boundary = "fs-" + Long.toHexString(System.nanoTime());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> out.writeBytes(
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
                        .getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Form("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    private HttpResponse<String> post(String path, Form form) throws Exception {
        return send("POST", path, form.contentType(), form.body());
    }
}
