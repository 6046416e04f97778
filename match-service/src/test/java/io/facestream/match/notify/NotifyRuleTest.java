package io.facestream.match.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Match;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules per decision, stage, camera and gallery; the webhook section's checks; the backoff; the signature. */
class NotifyRuleTest {
    private static Match match(String camera, String gallery, Match.Stage stage, Match.Decision decision) {
        return new Match(
                camera + "/1/" + stage,
                "1",
                camera,
                1_000,
                2_000,
                stage,
                decision,
                0.4,
                gallery,
                new Match.ModelId("m", "1"),
                List.of(new Match.Candidate("alice", "a1", 0.7)),
                3,
                "faces/0/1");
    }

    @Test
    void aRulePassesOnlyDecisionsInAllFourSets() {
        NotifyRule rule = NotifyRule.parse("notify.webhooks.desk", "hit", List.of("FINAL"), "door, lobby", "watchlist");
        assertTrue(rule.matches(match("door", "watchlist", Match.Stage.FINAL, Match.Decision.HIT)));
        assertTrue(rule.matches(match("lobby", "watchlist", Match.Stage.FINAL, Match.Decision.HIT)));
        assertFalse(rule.matches(match("door", "watchlist", Match.Stage.FINAL, Match.Decision.UNKNOWN)), "decision");
        assertFalse(rule.matches(match("door", "watchlist", Match.Stage.PROVISIONAL, Match.Decision.HIT)), "stage");
        assertFalse(rule.matches(match("garage", "watchlist", Match.Stage.FINAL, Match.Decision.HIT)), "camera");
        assertFalse(rule.matches(match("door", "staff", Match.Stage.FINAL, Match.Decision.HIT)), "gallery");
        assertFalse(rule.matches(match("door", null, Match.Stage.FINAL, Match.Decision.HIT)), "no gallery");
    }

    @Test
    void emptyCamerasAndGalleriesMeanAll() {
        NotifyRule rule = NotifyRule.parse("notify.mqtt", "HIT,UNKNOWN", "PROVISIONAL,FINAL", "", null);
        for (Match.Stage s : Match.Stage.values()) {
            for (Match.Decision d : Match.Decision.values()) {
                assertTrue(rule.matches(match("any-camera", "any-gallery", s, d)));
            }
        }
        assertEquals(NotifyRule.everything(), rule);
    }

    @Test
    void aBadRuleIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NotifyRule.parse("notify.webhooks.desk", "HIT,MAYBE", "FINAL", "", ""));
        assertEquals("notify.webhooks.desk.decisions: 'MAYBE' is not one of [HIT, UNKNOWN]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NotifyRule.parse("notify.mqtt", "HIT", " , ", "", ""));
        assertEquals("notify.mqtt.stages is empty: name at least one of [PROVISIONAL, FINAL]", e.getMessage());
    }

    @Test
    void webhooksAreReadFromTheirSectionWithDefaultsAndChecks() {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .build()
                .with(Map.of(
                        "notify.webhooks.desk.url", "https://hooks.example/facestream",
                        "notify.webhooks.desk.secret", "0123456789abcdef0123",
                        "notify.webhooks.door.url", "http://127.0.0.1:9/x",
                        "notify.webhooks.door.secret", "fedcba9876543210fedc",
                        "notify.webhooks.door.stages", "PROVISIONAL,FINAL",
                        "notify.webhooks.door.cameras", "door"));
        NotifySettings s = NotifySettings.fromConfig(config, Clock.systemUTC());
        assertTrue(s.enabled());
        assertEquals(null, s.mqtt(), "notify.mqtt.url is empty by default: no MQTT");
        assertEquals(
                List.of("webhook:desk", "webhook:door"),
                s.webhooks().stream().map(WebhookSink::name).toList());
        NotifyRule desk = s.webhooks().get(0).rule();
        assertTrue(
                desk.matches(match("x", "g", Match.Stage.FINAL, Match.Decision.UNKNOWN)),
                "default decisions: HIT and UNKNOWN");
        assertFalse(
                desk.matches(match("x", "g", Match.Stage.PROVISIONAL, Match.Decision.HIT)),
                "default stages: FINAL only");
        NotifyRule door = s.webhooks().get(1).rule();
        assertTrue(door.matches(match("door", "g", Match.Stage.PROVISIONAL, Match.Decision.HIT)));
        assertFalse(door.matches(match("lobby", "g", Match.Stage.FINAL, Match.Decision.HIT)));
        assertFalse(s.webhooks().toString().contains("0123456789abcdef"), "no secret in a webhook's description");
        assertFalse(
                NotifySettings.fromConfig(FacestreamConfig.builder().isolated().build(), Clock.systemUTC())
                        .enabled(),
                "off by default");

        IllegalArgumentException shortSecret = assertThrows(
                IllegalArgumentException.class,
                () -> WebhookSink.fromSection(
                        Map.of("a.url", "https://h.example/", "a.secret", "short"),
                        Duration.ofSeconds(1),
                        Clock.systemUTC()));
        assertTrue(
                shortSecret.getMessage().startsWith("notify.webhooks.a.secret is missing or shorter than 16"),
                shortSecret.getMessage());
        assertFalse(shortSecret.getMessage().contains("short\""), "the secret is not repeated");
        IllegalArgumentException credentials = assertThrows(
                IllegalArgumentException.class,
                () -> WebhookSink.fromSection(
                        Map.of("a.url", "https://bob:hunter2@h.example/?token=abc", "a.secret", "0123456789abcdef"),
                        Duration.ofSeconds(1),
                        Clock.systemUTC()));
        assertFalse(
                credentials.getMessage().contains("hunter2")
                        || credentials.getMessage().contains("abc"),
                credentials.getMessage());
        assertTrue(credentials.getMessage().contains("carries credentials"), credentials.getMessage());
        IllegalArgumentException field = assertThrows(
                IllegalArgumentException.class,
                () -> WebhookSink.fromSection(
                        Map.of("a.url", "https://h.example/", "a.secret", "0123456789abcdef", "a.stage", "FINAL"),
                        Duration.ofSeconds(1),
                        Clock.systemUTC()));
        assertTrue(
                field.getMessage().startsWith("notify.webhooks.a.stage is not a field of a webhook"),
                field.getMessage());
        IllegalArgumentException ftp = assertThrows(
                IllegalArgumentException.class,
                () -> WebhookSink.fromSection(
                        Map.of("a.url", "ftp://h.example/", "a.secret", "0123456789abcdef"),
                        Duration.ofSeconds(1),
                        Clock.systemUTC()));
        assertTrue(ftp.getMessage().contains("is not an http(s) URL"), ftp.getMessage());
    }

    @Test
    void theMqttPasswordIsNeverShown() {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .build()
                .with(Map.of(
                        "notify.mqtt.url",
                        "tcp://broker.example:1883",
                        "notify.mqtt.username",
                        "facestream",
                        "notify.mqtt.password",
                        "s3cret-pw",
                        "notify.mqtt.topic-prefix",
                        "site/a/"));
        NotifySettings s = NotifySettings.fromConfig(config, Clock.systemUTC());
        assertEquals("site/a", s.mqtt().topicPrefix(), "a trailing slash is dropped");
        assertFalse(s.toString().contains("s3cret-pw"), s.toString());
        assertThrows(
                IllegalArgumentException.class,
                () -> NotifySettings.fromConfig(
                        config.with(Map.of("notify.mqtt.topic-prefix", "site/#")), Clock.systemUTC()));
        IllegalArgumentException inUrl = assertThrows(
                IllegalArgumentException.class,
                () -> NotifySettings.fromConfig(
                        config.with(Map.of("notify.mqtt.url", "tcp://facestream:hunter2@broker.example:1883")),
                        Clock.systemUTC()));
        assertFalse(inUrl.getMessage().contains("hunter2"), inUrl.getMessage());
        assertTrue(inUrl.getMessage().contains("carries credentials"), inUrl.getMessage());
        IllegalArgumentException scheme = assertThrows(
                IllegalArgumentException.class,
                () -> new MqttSink(
                        NotifySettings.fromConfig(
                                        config.with(Map.of("notify.mqtt.url", "ws2://broker.example:1883")),
                                        Clock.systemUTC())
                                .mqtt(),
                        (g, id) -> java.util.Optional.empty(),
                        Clock.systemUTC()));
        assertTrue(
                scheme.getMessage()
                        .startsWith(
                                "notify.mqtt.url 'ws2://broker.example:1883' is not an MQTT broker URL: write tcp://"),
                scheme.getMessage());
    }

    @Test
    void backoffGrowsExponentiallyUpToItsCeiling() {
        RetryPolicy p = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(700), 2);
        assertEquals(
                List.of(100L, 200L, 400L, 700L, 700L),
                List.of(1, 2, 3, 4, 5).stream()
                        .map(a -> p.backoffAfter(a).toMillis())
                        .toList());
        RetryPolicy defaults =
                RetryPolicy.fromConfig(FacestreamConfig.builder().isolated().build());
        assertEquals(new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), 2), defaults);
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
    }

    @Test
    void theSignatureIsAnHmacOfTimestampDotBody() {
        byte[] secret = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] body = "{\"match_id\":\"door/1/FINAL\"}".getBytes(StandardCharsets.UTF_8);
        String sig = WebhookSignature.sign(secret, 1_700_000_000L, body);
        // known answer, from: printf '%s' '1700000000.{"match_id":"door/1/FINAL"}' | openssl dgst -sha256 -hmac
        // 0123456789abcdef
        assertEquals("sha256=4cb3dccac834ba746508efd0d7e8f577269ba2bed6307b3c8d4fc2a92f30448b", sig);
        assertTrue(WebhookSignature.verify(secret, 1_700_000_000L, body, sig));
        assertFalse(
                WebhookSignature.verify(secret, 1_700_000_001L, body, sig), "another timestamp: a replay is refused");
        assertFalse(WebhookSignature.verify(
                "another-secret-16".getBytes(StandardCharsets.UTF_8), 1_700_000_000L, body, sig));
        assertFalse(WebhookSignature.verify(secret, 1_700_000_000L, body, null));
    }
}
