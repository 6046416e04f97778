package io.facestream.match.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.service.EmbedService;
import io.facestream.match.runtime.MatchService;
import io.facestream.match.testing.FaceServices;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT notifications end to end, against Debian's Mosquitto broker (started by the test on a free port, with a
 * password file) and the real embed and match services with the real models: alice is enrolled (display name "Alice
 * Example") from one portrait and walks past camera {@code porch-…} in frames of another photo of her. Her HIT must
 * reach a subscriber on {@code facestream/<camera>/match} as the very Match JSON of {@code facestream.matches};
 * {@code facestream/status} says {@code online} while the service runs and {@code offline} (retained) once it stopped;
 * Home Assistant's discovery config of the camera's "last recognised person" sensor is retained, and the sensor's state
 * names her. {@code mosquitto_sub}, an outside client, reads the retained messages too.
 */
@KafkaBroker
class MqttNotifyTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final Path MOSQUITTO_SUB = Path.of("/usr/bin/mosquitto_sub");
    private static final String KEY = "mqtt-notify-test-key-0123456789";
    private static final String USER = "facestream";
    private static final String PASSWORD = "mqtt-test-password-42";

    private final HttpClient http = HttpClient.newHttpClient();

    /** One message as a subscriber got it. */
    private record Got(String topic, String payload, boolean retained) {}

    @Test
    void aHitReachesAnMqttSubscriberWithAvailabilityAndHomeAssistantDiscovery(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        assumeTrue(
                Files.isExecutable(MOSQUITTO) && Files.isExecutable(MOSQUITTO_PASSWD),
                "needs Debian's mosquitto (apt-get install mosquitto mosquitto-clients)");
        SamplePhotos photos = SamplePhotos.fetch();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "porch-" + run;
        String gallery = "mqtt-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        int port = freePort();
        Process broker = startMosquitto(dir, port);
        String url = "tcp://127.0.0.1:" + port;
        try (MqttClient subscriber = new MqttClient(url, "test-sub-" + run, new MemoryPersistence())) {
            List<Got> got = new CopyOnWriteArrayList<>();
            subscriber.connect(options());
            subscriber.subscribe(
                    new String[] {"facestream/#", "homeassistant/#"},
                    new int[] {1, 1},
                    new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {
                        (t, m) ->
                                got.add(new Got(t, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained())),
                        (t, m) ->
                                got.add(new Got(t, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained()))
                    });

            Map<String, Object> o = FaceServices.config("mqtt", run, dir, KEY, gallery);
            o.put("notify.group", "mqtt-notify-" + run);
            o.put("notify.mqtt.url", url);
            o.put("notify.mqtt.username", USER);
            o.put("notify.mqtt.password", PASSWORD);
            o.put("notify.mqtt.cameras", camera);
            FacestreamConfig config =
                    FacestreamConfig.builder().isolated().build().with(o);
            FaceServices.startAtEnd(bootstrap, "mqtt", run);
            ConsumerGroups.startAtEnd(bootstrap, "mqtt-notify-" + run, TopicCatalog.MATCHES);
            ConsumerGroups.startAtEnd(bootstrap, "mqtt-verify-" + run, TopicCatalog.MATCHES);

            Match hit;
            try (EmbedService embed = EmbedService.start(config, bootstrap);
                    MatchService match = MatchService.start(config, bootstrap);
                    KafkaConsumer<String, byte[]> verify =
                            new KafkaConsumer<>(KafkaClients.consumer(bootstrap, "mqtt-verify-" + run));
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(KafkaClients.producer(bootstrap, "mqtt-" + run))) {
                match.awaitRunning(Duration.ofSeconds(60));
                verify.subscribe(List.of(TopicCatalog.MATCHES));
                await(
                        got,
                        g -> g.stream()
                                .anyMatch(m -> m.topic().equals("facestream/status")
                                        && m.payload().equals("online")),
                        Duration.ofSeconds(30),
                        "facestream/status online");

                String base = "http://127.0.0.1:" + match.apiPort();
                FaceServices.enrol(
                        http,
                        KEY,
                        base,
                        gallery,
                        "alice",
                        "Alice Example",
                        Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A)));

                // alice walks past the porch camera: four frames, 100 ms apart
                byte[] frame = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_B));
                long t0Us = System.currentTimeMillis() * 1000;
                FaceServices.sendFrames(producer, camera, frame, 0, 4, t0Us);

                String matchTopic = "facestream/" + camera + "/match";
                Got published = await(
                                got,
                                g -> g.stream()
                                        .anyMatch(m -> m.topic().equals(matchTopic)
                                                && m.payload().contains("\"HIT\"")),
                                Duration.ofSeconds(120),
                                matchTopic + " HIT")
                        .stream()
                        .filter(m -> m.topic().equals(matchTopic) && m.payload().contains("\"HIT\""))
                        .findFirst()
                        .orElseThrow();
                hit = JsonSerde.match()
                        .deserializer()
                        .deserialize(TopicCatalog.MATCHES, published.payload().getBytes(StandardCharsets.UTF_8));
                assertEquals(Match.Decision.HIT, hit.decision());
                assertEquals(camera, hit.cameraId());
                assertEquals("alice", hit.best().subjectId());
                assertFalse(published.retained(), "decisions are events, not retained");
                // byte for byte the decision the match service wrote to facestream.matches
                assertEquals(
                        published.payload(), onTopic(verify, hit.matchId()), "the Match JSON of facestream.matches");

                String statePayload = await(
                                got,
                                g -> g.stream()
                                        .anyMatch(m -> m.topic().equals("facestream/" + camera + "/last_person")),
                                Duration.ofSeconds(30),
                                "last_person state")
                        .stream()
                        .filter(m -> m.topic().equals("facestream/" + camera + "/last_person"))
                        .findFirst()
                        .orElseThrow()
                        .payload();
                JsonNode state = Json.mapper().readTree(statePayload);
                assertEquals("Alice Example", state.get("name").asText(), statePayload);
                assertEquals("alice", state.get("subject_id").asText());
                assertEquals(gallery, state.get("gallery").asText());
                assertTrue(state.get("match_id").asText().startsWith(camera + "/"), statePayload);

                // a subscriber that comes later gets the discovery config and the availability as retained messages
                String discoveryTopic = "homeassistant/sensor/facestream_" + camera + "/last_person/config";
                Map<String, Got> retained = retained(
                        url,
                        run,
                        List.of(discoveryTopic, "facestream/status", "facestream/" + camera + "/last_person"));
                assertTrue(retained.get(discoveryTopic).retained());
                JsonNode discovery =
                        Json.mapper().readTree(retained.get(discoveryTopic).payload());
                assertEquals(
                        "facestream/" + camera + "/last_person",
                        discovery.get("state_topic").asText());
                assertEquals(
                        "{{ value_json.name }}", discovery.get("value_template").asText());
                assertEquals(
                        "facestream/status", discovery.get("availability_topic").asText());
                assertEquals(
                        "facestream_" + camera + "_last_person",
                        discovery.get("unique_id").asText());
                assertEquals(
                        "facestream_" + camera,
                        discovery.get("device").get("identifiers").get(0).asText());
                assertEquals("online", retained.get("facestream/status").payload());
                assertEquals(
                        "Alice Example",
                        Json.mapper()
                                .readTree(retained.get("facestream/" + camera + "/last_person")
                                        .payload())
                                .get("name")
                                .asText());
                assertTrue(match.notifier().counts("mqtt").delivered() >= 1);
                assertEquals(0, match.notifier().counts("mqtt").deadLettered());

                // an outside client: Mosquitto's own subscriber reads the retained discovery config and availability
                if (Files.isExecutable(MOSQUITTO_SUB)) {
                    Process sub = new ProcessBuilder(
                                    MOSQUITTO_SUB.toString(),
                                    "-h",
                                    "127.0.0.1",
                                    "-p",
                                    Integer.toString(port),
                                    "-u",
                                    USER,
                                    "-P",
                                    PASSWORD,
                                    "-t",
                                    discoveryTopic,
                                    "-t",
                                    "facestream/status",
                                    "-v",
                                    "-C",
                                    "2",
                                    "-W",
                                    "20")
                            .redirectErrorStream(true)
                            .start();
                    assertTrue(sub.waitFor(30, TimeUnit.SECONDS), "mosquitto_sub did not end");
                    String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    System.out.println("mosquitto_sub:\n" + out);
                    assertEquals(0, sub.exitValue(), out);
                    assertTrue(out.contains("facestream/status online"), out);
                    assertTrue(
                            out.contains(discoveryTopic + " {")
                                    && out.contains("\"state_topic\":\"facestream/" + camera + "/last_person\""),
                            out);
                }
            }
            // stopped: the service said offline, kept by the broker for whoever subscribes next
            assertEquals(
                    "offline",
                    retained(url, run + "-after", List.of("facestream/status"))
                            .get("facestream/status")
                            .payload());
            subscriber.disconnect();
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(USER);
        o.setPassword(PASSWORD.toCharArray());
        o.setCleanSession(true);
        return o;
    }

    /** The retained message of each topic, as a new subscriber receives it on subscribing. */
    private static Map<String, Got> retained(String url, String id, List<String> topics) throws Exception {
        Map<String, Got> out = new java.util.concurrent.ConcurrentHashMap<>();
        try (MqttClient c = new MqttClient(url, "test-late-" + id, new MemoryPersistence())) {
            c.connect(options());
            for (String t : topics) {
                c.subscribe(
                        t,
                        1,
                        (topic, m) -> out.put(
                                topic,
                                new Got(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained())));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (out.size() < topics.size() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            c.disconnect();
        }
        assertEquals(new java.util.TreeSet<>(topics), new java.util.TreeSet<>(out.keySet()), "retained messages");
        out.values().forEach(g -> assertTrue(g.retained(), g.topic() + " is retained"));
        return out;
    }

    private static List<Got> await(List<Got> got, Predicate<List<Got>> done, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(got)) {
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + timeout + "; got " + got);
            Thread.sleep(50);
        }
        return got;
    }

    /** The value of the decision {@code matchId} on facestream.matches. */
    private static String onTopic(KafkaConsumer<String, byte[]> verify, String matchId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : verify.poll(Duration.ofMillis(100))) {
                String json = new String(r.value(), StandardCharsets.UTF_8);
                if (json.contains("\"match_id\":\"" + matchId + "\"")) {
                    return json;
                }
            }
        }
        throw new AssertionError(matchId + " not on " + TopicCatalog.MATCHES);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Mosquitto on 127.0.0.1:{@code port}, a password file, no persistence; returns once it accepts connections. */
    private static Process startMosquitto(Path dir, int port) throws Exception {
        Path passwords = dir.resolve("mosquitto.passwd");
        Process p = new ProcessBuilder(MOSQUITTO_PASSWD.toString(), "-c", "-b", passwords.toString(), USER, PASSWORD)
                .redirectErrorStream(true)
                .start();
        assertTrue(
                p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0,
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "listener " + port + " 127.0.0.1",
                        "allow_anonymous false",
                        "password_file " + passwords,
                        "persistence false",
                        // started as root, mosquitto would switch to its own user, which cannot read the test's folder
                        "user " + System.getProperty("user.name"),
                        "log_dest stderr",
                        ""));
        Process broker = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return broker;
            } catch (IOException notYet) {
                assertTrue(broker.isAlive(), "mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                assertTrue(System.nanoTime() < deadline, "mosquitto not listening on " + port);
                Thread.sleep(100);
            }
        }
    }
}
