package io.facestream.match.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.api.Multipart;
import io.facestream.match.runtime.MatchService;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The running services of a test that films people: the match service (and an embed service, or none when the test
 * starts its own later), a producer of frames, and a reader of facestream.matches that collects every decision by
 * match id. Every group starts at the topics' end, so other tests' records on the shared broker are not seen.
 */
public final class Scene implements AutoCloseable {
    public final String run;
    /** The API's base URL. */
    public final String base;
    /** The embed service, null for a scene started without one. */
    public final EmbedService embed;

    public final MatchService match;
    public final KafkaConsumer<String, byte[]> verify;
    public final KafkaProducer<String, byte[]> producer;
    /** Every decision {@link #verify} has read, by match id. */
    public final Map<String, Match> decisions = new HashMap<>();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String key;

    private Scene(
            String run,
            String key,
            EmbedService embed,
            MatchService match,
            KafkaConsumer<String, byte[]> verify,
            KafkaProducer<String, byte[]> producer) {
        this.run = run;
        this.key = key;
        this.embed = embed;
        this.match = match;
        this.verify = verify;
        this.producer = producer;
        this.base = "http://127.0.0.1:" + match.apiPort();
    }

    /**
     * Starts the scene on {@code bootstrap} with configuration {@code o} (see {@link FaceServices#config}, whose
     * {@code name} and {@code run} this takes too) and the admin key {@code key}; the match service is running when
     * this returns.
     */
    public static Scene start(
            String bootstrap, String name, String run, Map<String, Object> o, String key, boolean withEmbed)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        FacestreamConfig config = FacestreamConfig.builder().isolated().build().with(o);
        FaceServices.startAtEnd(bootstrap, name, run);
        ConsumerGroups.startAtEnd(bootstrap, name + "-verify-" + run, TopicCatalog.MATCHES);
        EmbedService embed = withEmbed ? EmbedService.start(config, bootstrap) : null;
        MatchService match = null;
        KafkaConsumer<String, byte[]> verify = null;
        try {
            match = MatchService.start(config, bootstrap);
            verify = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, name + "-verify-" + run));
            KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaClients.producer(bootstrap, name + "-" + run));
            match.awaitRunning(Duration.ofSeconds(60));
            verify.subscribe(List.of(TopicCatalog.MATCHES));
            return new Scene(run, key, embed, match, verify, producer);
        } catch (Exception | Error e) {
            if (verify != null) {
                verify.close();
            }
            if (match != null) {
                match.close();
            }
            if (embed != null) {
                embed.close();
            }
            throw e;
        }
    }

    /** A person passing {@code camera}: {@code frames} frames of {@code photo}; its PROVISIONAL decision. */
    public Match film(String camera, byte[] photo, int frames) throws Exception {
        return FaceServices.film(http, key, base, producer, verify, decisions, camera, photo, frames);
    }

    /** Creates the SINGLE gallery {@code gallery} and enrols {@code subject} into it from {@code photo}. */
    public void enrolFirst(String gallery, String subject, byte[] photo) throws Exception {
        FaceServices.enrol(http, key, base, gallery, subject, null, photo);
    }

    /** Enrols one more subject into an existing gallery. */
    public void enrol(String gallery, String subject, byte[] photo) throws Exception {
        Multipart form = new Multipart().field("subject_id", subject).file("image", subject + ".jpg", photo);
        HttpResponse<String> enrolled = FaceServices.post(
                http, key, base + "/api/galleries/" + gallery + "/subjects", form.contentType(), form.body());
        assertEquals(201, enrolled.statusCode(), enrolled.body());
    }

    @Override
    public void close() {
        producer.close();
        verify.close();
        match.close();
        if (embed != null) {
            embed.close();
        }
    }
}
