package io.facestream.match.notify;

import io.facestream.core.events.CameraId;
import io.facestream.core.events.Match;
import io.facestream.core.json.Json;
import io.facestream.core.security.Redact;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decisions to an MQTT broker (Eclipse Paho, MQTT 3.1.1):
 * <ul>
 *   <li>{@code <prefix>/<camera>/match}: each decision the rule passes, the Match JSON (QoS {@code notify.mqtt.qos},
 *       not retained);</li>
 *   <li>{@code <prefix>/status}: {@code online} (retained) once connected; {@code offline} (retained) on close and, as
 *       the connection's last will, when the process dies;</li>
 *   <li>{@code <prefix>/<camera>/last_person}: after a HIT, retained JSON naming the subject (display name, else
 *       the subject id): the state of Home Assistant's per-camera "last recognised person" sensor, whose discovery
 *       config {@code <discovery-prefix>/sensor/facestream_<camera>/last_person/config} is published (retained) the
 *       first time a camera's decision is sent, and again after every reconnect.</li>
 * </ul>
 * The password is handed to the client only; logs show the URL through {@link Redact}.
 */
public final class MqttSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(MqttSink.class);
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    private final MqttSettings settings;
    private final NotifyRule rule;
    private final MqttClient client;
    private final MqttConnectOptions options;
    private final BiFunction<String, String, Optional<String>> displayNames;
    private final Clock clock;
    /** Cameras whose discovery config has been published on this connection. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    /** Every camera seen, to announce again after a reconnect (a broker without persistence forgets retained messages). */
    private final Set<String> cameras = ConcurrentHashMap.newKeySet();

    private volatile boolean everConnected;

    /**
     * @param displayNames (gallery, subject id) → the subject's display name, when the gallery replica has one
     */
    public MqttSink(MqttSettings settings, BiFunction<String, String, Optional<String>> displayNames, Clock clock) {
        this.settings = settings;
        this.rule = settings.rule();
        this.displayNames = displayNames;
        this.clock = clock;
        String clientId = settings.clientId().isEmpty()
                ? "facestream-match-" + UUID.randomUUID().toString().substring(0, 8)
                : settings.clientId();
        try {
            client = new MqttClient(settings.url(), clientId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IllegalArgumentException("notify.mqtt.url '" + Redact.credentials(settings.url())
                    + "' is not an MQTT broker URL: write tcp://HOST:PORT or ssl://HOST:PORT ("
                    + Redact.credentials(e.getMessage()) + ")");
        }
        client.setTimeToWait(settings.timeout().toMillis());
        options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(true);
        options.setConnectionTimeout((int) Math.max(1, settings.timeout().toSeconds()));
        options.setKeepAliveInterval(30);
        if (!settings.username().isEmpty()) {
            options.setUserName(settings.username());
        }
        if (!settings.password().isEmpty()) {
            options.setPassword(settings.password().toCharArray());
        }
        options.setWill(statusTopic(), OFFLINE.getBytes(StandardCharsets.UTF_8), 1, true);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                everConnected = true;
                announced.clear();
                // publishing waits for the broker's acknowledgement, which Paho's callback thread delivers: not from
                // here
                Thread.ofVirtual().name("facestream-notify-mqtt-announce").start(MqttSink.this::announce);
            }

            @Override
            public void connectionLost(Throwable cause) {
                LOG.warn(
                        "MQTT connection to {} lost ({}); reconnecting",
                        target(),
                        cause == null ? "closed" : cause.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {}

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    }

    /** Connects now; a broker that is not there yet is only logged (each delivery tries again). */
    public MqttSink connectQuietly() {
        try {
            ensureConnected();
            LOG.info(
                    "notifications to MQTT {} (topics {}/<camera>/match, availability {})",
                    target(),
                    settings.topicPrefix(),
                    statusTopic());
        } catch (MqttException e) {
            LOG.warn(
                    "MQTT broker {} not reachable yet ({}); decisions will be retried and dead-lettered if it stays away",
                    target(),
                    e.getMessage());
        }
        return this;
    }

    public String target() {
        return Redact.credentials(settings.url());
    }

    public String statusTopic() {
        return settings.topicPrefix() + "/status";
    }

    public String matchTopic(String camera) {
        return settings.topicPrefix() + "/" + camera + "/match";
    }

    public String lastPersonTopic(String camera) {
        return settings.topicPrefix() + "/" + camera + "/last_person";
    }

    public String discoveryTopic(String camera) {
        return settings.discoveryPrefix() + "/sensor/facestream_" + camera + "/last_person/config";
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public NotifyRule rule() {
        return rule;
    }

    @Override
    public void send(Match match, byte[] json) throws Exception {
        // the camera names topics: one that is not a camera id (wildcards, slashes) must not reach the broker
        String camera = CameraId.of(match.cameraId()).value();
        try {
            ensureConnected();
        } catch (MqttException e) {
            throw new java.io.IOException("MQTT broker " + target() + ": " + e.getMessage(), e);
        }
        cameras.add(camera);
        if (settings.discovery() && !announced.contains(camera)) {
            publish(discoveryTopic(camera), discoveryConfig(camera), true);
            announced.add(camera);
        }
        publish(matchTopic(camera), json, false);
        if (match.decision() == Match.Decision.HIT && match.best() != null) {
            publish(lastPersonTopic(camera), lastPerson(match), true);
        }
    }

    private synchronized void ensureConnected() throws MqttException {
        if (client.isConnected()) {
            return;
        }
        if (everConnected) {
            // Paho's automatic reconnect is at work; this attempt fails and the retry policy waits
            throw new MqttException(MqttException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }
        client.connect(options);
    }

    private void publish(String topic, byte[] payload, boolean retained) throws java.io.IOException {
        try {
            client.publish(topic, payload, settings.qos(), retained);
        } catch (MqttException e) {
            throw new java.io.IOException("publish to " + topic + " at " + target() + " failed: " + e.getMessage(), e);
        }
    }

    /** After (re)connecting: online, and the discovery config of every camera seen so far. */
    private void announce() {
        try {
            publish(statusTopic(), ONLINE.getBytes(StandardCharsets.UTF_8), true);
            if (settings.discovery()) {
                for (String camera : cameras) {
                    publish(discoveryTopic(camera), discoveryConfig(camera), true);
                    announced.add(camera);
                }
            }
        } catch (java.io.IOException e) {
            LOG.warn("could not announce availability on MQTT {}: {}", target(), e.getMessage());
        }
    }

    /** Home Assistant's MQTT discovery config of the camera's "last recognised person" sensor. */
    byte[] discoveryConfig(String camera) {
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("identifiers", List.of("facestream_" + camera));
        device.put("name", "facestream " + camera);
        device.put("manufacturer", "facestream");
        device.put("model", "camera");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", "Last recognised person");
        c.put("unique_id", "facestream_" + camera + "_last_person");
        c.put("state_topic", lastPersonTopic(camera));
        c.put("value_template", "{{ value_json.name }}");
        c.put("json_attributes_topic", lastPersonTopic(camera));
        c.put("availability_topic", statusTopic());
        c.put("payload_available", ONLINE);
        c.put("payload_not_available", OFFLINE);
        c.put("icon", "mdi:face-recognition");
        c.put("device", device);
        return json(c);
    }

    /** The state of the sensor: who was recognised last, with the decision's id, gallery, score and time. */
    byte[] lastPerson(Match match) {
        Match.Candidate best = match.best();
        String display = match.gallery() == null
                ? ""
                : displayNames.apply(match.gallery(), best.subjectId()).orElse("");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", display.isEmpty() ? best.subjectId() : display);
        s.put("subject_id", best.subjectId());
        s.put("display_name", display);
        s.put("gallery", match.gallery());
        s.put("score", best.score());
        s.put("stage", match.stage().name());
        s.put("match_id", match.matchId());
        s.put(
                "seen_at",
                java.time.Instant.ofEpochSecond(0, match.endTsUs() * 1000).toString());
        s.put("published_at", clock.instant().toString());
        return json(s);
    }

    private static byte[] json(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Says offline (retained: a clean disconnect sends no last will), then disconnects. */
    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.publish(statusTopic(), OFFLINE.getBytes(StandardCharsets.UTF_8), 1, true);
                client.disconnect(2_000);
            }
        } catch (MqttException e) {
            LOG.warn("MQTT {}: could not say offline on close: {}", target(), e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT close: {}", e.getMessage());
        }
    }

    /** {@code notify.mqtt.*}. */
    public record MqttSettings(
            String url,
            String topicPrefix,
            String clientId,
            String username,
            String password,
            int qos,
            boolean discovery,
            String discoveryPrefix,
            NotifyRule rule,
            java.time.Duration timeout) {
        public MqttSettings {
            if (!Redact.credentials(url).equals(url) || url.matches("(?i)^[a-z][a-z0-9+.-]*://[^/@]*@.*")) {
                throw new IllegalArgumentException(
                        "notify.mqtt.url '" + Redact.credentials(url) + "' carries credentials: put them in "
                                + "notify.mqtt.username and notify.mqtt.password (the password is never logged) and keep the URL free of them");
            }
            topicPrefix = stripSlashes(topicPrefix);
            discoveryPrefix = stripSlashes(discoveryPrefix);
            for (String p : List.of(topicPrefix, discoveryPrefix)) {
                if (p.isEmpty() || p.contains("+") || p.contains("#")) {
                    throw new IllegalArgumentException(
                            "notify.mqtt.topic-prefix and notify.mqtt.discovery-prefix must be non-empty topic names "
                                    + "without wildcards (+, #), got '" + p + "'");
                }
            }
        }

        private static String stripSlashes(String s) {
            String t = s.trim();
            while (t.endsWith("/")) {
                t = t.substring(0, t.length() - 1);
            }
            return t;
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "MqttSettings[url=" + Redact.credentials(url) + ", topicPrefix=" + topicPrefix + ", username="
                    + username + ", password=" + (password.isEmpty() ? "" : Redact.MASK) + ", qos=" + qos
                    + ", discovery=" + discovery + "]";
        }
    }
}
