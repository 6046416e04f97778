package io.facestream.ops.runtime;

import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A little traffic through embed and match, and reading a management port's /metrics, for the metrics tests. */
final class ServiceTraffic {
    /** One given face per frame: no photograph needed, the embedder runs on the aligned crop. */
    private static final String GIVEN = "[{\"box\":[40,40,160,160],\"label\":\"x\"}]";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceTraffic() {}

    /** {@code frames} frames of {@code camera} captured now, 40 ms apart, then one frame that is not a JPEG (a dead letter). */
    static void frames(String bootstrap, String camera, int frames) throws Exception {
        byte[] jpeg = jpeg();
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "metrics-traffic"))) {
            for (int seq = 0; seq < frames; seq++) {
                RecordHeaders h = new RecordHeaders();
                h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
                h.add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
                h.add(FrameHeaders.FACES, GIVEN.getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, jpeg, h))
                        .get();
                Thread.sleep(40);
            }
            RecordHeaders h = new RecordHeaders();
            h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(frames));
            producer.send(new ProducerRecord<>(
                            TopicCatalog.FRAMES, null, camera, "not a jpeg".getBytes(StandardCharsets.UTF_8), h))
                    .get();
        }
    }

    /**
     * One track of {@code faces} faces of {@code camera} straight onto facestream.faces, captured now, as an embed
     * service writes them (a 16-dimensional version no manifest or gallery vector fixes a length for): the match
     * service decides on it, provisionally and finally.
     */
    static void faces(String bootstrap, String camera, int faces) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "metrics-faces"))) {
            long t0 = System.currentTimeMillis() * 1000;
            for (int f = 0; f < faces; f++) {
                producer.send(new ProducerRecord<>(
                                TopicCatalog.FACES,
                                camera,
                                io.facestream.ops.chaos.SyntheticTracks.face(camera, 0, f, faces, t0)
                                        .toByteArray()))
                        .get();
                Thread.sleep(40);
            }
        }
    }

    static String get(String url, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static int post(String url, String bearer, String json) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The sum of every sample of {@code name} (any labels) in a Prometheus text exposition; -1 when there is none. */
    static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$")
                .matcher(exposition);
        double total = -1;
        while (m.find()) {
            total = (total < 0 ? 0 : total) + Double.parseDouble(m.group(1));
        }
        return total;
    }

    private static byte[] jpeg() throws Exception {
        BufferedImage img = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                img.setRGB(x, y, ((x * 7 + y * 13) & 0xff) * 0x010101);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
