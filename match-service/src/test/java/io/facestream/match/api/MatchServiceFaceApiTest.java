package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.match.runtime.MatchService;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The face routes with the real models and real photographs (img1 and img2 are one person in two photographs, img3
 * another: the portraits of {@link SamplePhotos}): enrol SINGLE and BOOKING subjects from uploads, search by image,
 * verify, and delete (vectors and crops gone).
 */
@KafkaBroker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MatchServiceFaceApiTest {
    private static final String ADMIN = "face-admin-key-0123456789";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private MatchService service;
    private byte[] img1, img2, img3;
    private Path dir;

    @BeforeAll
    void start(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        img1 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A));
        img2 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
        img3 = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.OTHER));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        dir = Path.of("target", "face-api-test", run).toAbsolutePath();
        Map<String, Object> o = new HashMap<>();
        o.put("api.port", 0);
        o.put("api.host", "127.0.0.1");
        o.put("api.keys.root.key", ADMIN);
        o.put("api.keys.root.role", "admin");
        o.put("api.audit-log", dir.resolve("audit.log").toString());
        o.put("api.key-store", dir.resolve("api-keys.json").toString());
        o.put("api.upload-dir", dir.resolve("uploads").toString());
        o.put("gallery.index-dir", dir.resolve("gallery").toString());
        o.put("match.state-dir", dir.resolve("streams").toString());
        o.put("match.application-id", "face-api-test-" + run);
        o.put("models.dir", ModelZoo.defaultStore().root().toString());
        service =
                MatchService.start(FacestreamConfig.builder().isolated().build().with(o), bootstrap);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
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

    private HttpResponse<String> post(String path, Multipart form) throws Exception {
        return send("POST", path, form.contentType(), form.body());
    }

    private void createGallery(String name, String kind) throws Exception {
        HttpResponse<String> r = send(
                "POST",
                "/api/galleries",
                "application/json",
                ("{\"name\":\"" + name + "\",\"kind\":\"" + kind + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(201, r.statusCode(), r.body());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void enrolSearchVerifyAndDeleteWithRealPhotos() throws Exception {
        String single = "single-" + run;
        String booking = "booking-" + run;
        createGallery(single, "SINGLE");
        createGallery(booking, "BOOKING");

        HttpResponse<String> alice = post(
                "/api/galleries/" + single + "/subjects",
                new Multipart()
                        .field("subject_id", "alice")
                        .field("display_name", "Alice")
                        .file("image", "img1.jpeg", img1));
        assertEquals(201, alice.statusCode(), alice.body());
        assertEquals("still-1", json(alice).get("media").get(0).asText());
        assertEquals(
                201,
                post(
                                "/api/galleries/" + single + "/subjects",
                                new Multipart().field("subject_id", "bob").file("image", "img3.jpeg", img3))
                        .statusCode());
        HttpResponse<String> twoInSingle = post(
                "/api/galleries/" + single + "/subjects",
                new Multipart()
                        .field("subject_id", "carol")
                        .file("image", "a.jpeg", img1)
                        .file("image", "b.jpeg", img2));
        assertEquals(400, twoInSingle.statusCode(), twoInSingle.body());
        HttpResponse<String> booked = post(
                "/api/galleries/" + booking + "/subjects",
                new Multipart()
                        .field("subject_id", "alice")
                        .file("image", "img1.jpeg", img1)
                        .file("image", "img2.jpeg", img2));
        assertEquals(201, booked.statusCode(), booked.body());
        assertEquals(2, json(booked).get("media").size(), booked.body());
        // re-enrolment replaces the subject's media (one transaction): alice stays, with img2 as item-1 and no item-2
        HttpResponse<String> rebooked = post(
                "/api/galleries/" + booking + "/subjects",
                new Multipart().field("subject_id", "alice").file("image", "img2.jpeg", img2));
        assertEquals(201, rebooked.statusCode(), rebooked.body());
        String bookedNow = send("GET", "/api/galleries/" + booking + "/subjects", null, null)
                .body();
        assertTrue(
                bookedNow.contains("\"alice\"")
                        && bookedNow.contains("\"item-1\"")
                        && !bookedNow.contains("\"item-2\""),
                bookedNow);

        // an image without a face: 422, and nothing of the subject is written
        HttpResponse<String> blank = post(
                "/api/galleries/" + single + "/subjects",
                new Multipart().field("subject_id", "nobody").file("image", "grey.jpg", greyJpeg()));
        assertEquals(422, blank.statusCode(), blank.body());
        assertFalse(send("GET", "/api/galleries/" + single + "/subjects", null, null)
                .body()
                .contains("nobody"));

        // the stored crop is a JPEG of the aligned face
        HttpResponse<byte[]> crop = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.apiPort() + "/api/galleries/" + single
                                + "/subjects/alice/media/still-1/crop"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, crop.statusCode());
        assertTrue(
                crop.body().length > 500 && (crop.body()[0] & 0xff) == 0xFF && (crop.body()[1] & 0xff) == 0xD8,
                "a JPEG crop");

        // search by another photo of the same person: alice first, in both galleries
        JsonNode search =
                json(post("/api/search", new Multipart().field("k", "5").file("image", "img2.jpeg", img2)));
        for (String g : new String[] {single, booking}) {
            JsonNode result = resultFor(search, g);
            assertEquals(
                    "alice", result.get("candidates").get(0).get("subject_id").asText(), search.toString());
            assertEquals("HIT", result.get("decision").asText(), search.toString());
        }
        JsonNode inSingle = resultFor(search, single).get("candidates");
        assertEquals(2, inSingle.size(), search.toString());
        assertTrue(
                inSingle.get(0).get("score").asDouble()
                        > inSingle.get(1).get("score").asDouble() + 0.2,
                search.toString());

        // verify: 1:1 against the default threshold
        JsonNode same = json(
                post("/api/verify", new Multipart().file("a", "img1.jpeg", img1).file("b", "img2.jpeg", img2)));
        JsonNode different = json(
                post("/api/verify", new Multipart().file("a", "img1.jpeg", img1).file("b", "img3.jpeg", img3)));
        assertTrue(same.get("same_person").asBoolean(), same.toString());
        assertFalse(different.get("same_person").asBoolean(), different.toString());
        assertTrue(same.get("score").asDouble() > different.get("score").asDouble(), same + " vs " + different);

        // delete: the subject, its vectors and its crops are gone
        assertEquals(
                204,
                send("DELETE", "/api/galleries/" + single + "/subjects/alice", null, null)
                        .statusCode());
        assertFalse(send("GET", "/api/galleries/" + single + "/subjects", null, null)
                .body()
                .contains("\"alice\""));
        assertEquals(
                404,
                send("GET", "/api/galleries/" + single + "/subjects/alice/media/still-1/crop", null, null)
                        .statusCode());
        JsonNode after = resultFor(
                json(post(
                        "/api/search", new Multipart().field("gallery", single).file("image", "img2.jpeg", img2))),
                single);
        for (JsonNode c : after.get("candidates")) {
            assertFalse(c.get("subject_id").asText().equals("alice"), "deleted subject still searchable: " + after);
        }
        assertEquals("UNKNOWN", after.get("decision").asText(), "only bob is left, a different person: " + after);
        String audit = Files.readString(dir.resolve("audit.log"));
        assertTrue(
                audit.contains("\"subject.enrol\"")
                        && audit.contains("\"search\"")
                        && audit.contains("\"subject.delete\""),
                audit);
    }

    private static JsonNode resultFor(JsonNode search, String gallery) {
        for (JsonNode r : search.get("results")) {
            if (r.get("gallery").asText().equals(gallery)) {
                return r;
            }
        }
        throw new AssertionError("no result for gallery " + gallery + ": " + search);
    }

    private static byte[] greyJpeg() throws Exception {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                image.setRGB(x, y, 0x808080);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }
}
