package io.facestream.core.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic settings from configuration: built-in privacy defaults, Kafka's own checks of names and values, bounds. */
class TopicCatalogTest {

    private static TopicCatalog catalog(Map<String, ?> flags) {
        FacestreamConfig.Builder b = FacestreamConfig.builder().isolated();
        flags.forEach(b::flag);
        return TopicCatalog.fromConfig(b.build());
    }

    private static String config(TopicCatalog c, String topic, String key) {
        return c.get(topic).configs().get(key);
    }

    @Test
    void builtInRetentionKeepsDeadLettersNoLongerThanFramesAndFacesWithinTheUnknownRetention() {
        TopicCatalog c = TopicCatalog.defaults();
        assertEquals("3600000", config(c, TopicCatalog.FRAMES, "retention.ms"));
        assertEquals("3600000", config(c, TopicCatalog.DLQ, "retention.ms"));
        assertEquals(Long.toString(Duration.ofHours(18).toMillis()), config(c, TopicCatalog.FACES, "retention.ms"));
        assertEquals(
                Long.toString(Duration.ofHours(6).toMillis()), config(c, TopicCatalog.GALLERY, "delete.retention.ms"));
        // segments of a tenth of the retention, so a record outlives its retention by at most that
        assertEquals("360000", config(c, TopicCatalog.FRAMES, "segment.ms"));
        assertEquals("360000", config(c, TopicCatalog.DLQ, "segment.ms"));
        assertEquals(Long.toString(Duration.ofMinutes(108).toMillis()), config(c, TopicCatalog.FACES, "segment.ms"));
        assertEquals(Long.toString(Duration.ofDays(1).toMillis()), config(c, TopicCatalog.MATCHES, "segment.ms"));
        for (String compacted : new String[] {TopicCatalog.GALLERY, TopicCatalog.MODELS, TopicCatalog.FEEDBACK}) {
            assertEquals(Long.toString(Duration.ofHours(12).toMillis()), config(c, compacted, "segment.ms"), compacted);
            assertEquals(
                    Long.toString(Duration.ofHours(12).toMillis()),
                    config(c, compacted, "max.compaction.lag.ms"),
                    compacted);
        }
    }

    @Test
    void configuredTopicConfigsOverrideTheBuiltInOnesAndFollowThePrivacyKeys() {
        TopicCatalog c = catalog(Map.of(
                "topics.faces.retention.ms",
                600000,
                "topics.gallery.delete.retention.ms",
                "3600000",
                "topics.frames.retention.ms",
                "1800000",
                "privacy.erasure-deadline",
                "2h",
                "topics.matches.partitions",
                6));
        assertEquals("600000", config(c, TopicCatalog.FACES, "retention.ms"));
        assertEquals("3600000", config(c, TopicCatalog.GALLERY, "delete.retention.ms"));
        assertEquals("1800000", config(c, TopicCatalog.DLQ, "retention.ms"), "the DLQ follows the frames topic");
        assertEquals("3600000", config(c, TopicCatalog.FEEDBACK, "max.compaction.lag.ms"));
        assertEquals(6, c.get(TopicCatalog.MATCHES).partitions());
        // a shorter unknown retention shortens the built-in faces retention with it
        assertEquals(
                "300000",
                config(catalog(Map.of("privacy.unknown-retention", "5m")), TopicCatalog.FACES, "retention.ms"));
    }

    @Test
    void aMisspeltTopicConfigOrABadValueIsRefusedNamingTheKey() {
        ConfigException name =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.faces.retention.msec", 1000)));
        assertTrue(
                name.getMessage()
                        .startsWith("config key 'topics.faces.retention.msec' (from flag) is not a Kafka topic config"),
                name.getMessage());
        ConfigException value = assertThrows(
                ConfigException.class, () -> catalog(Map.of("topics.gallery.delete.retention.ms", "soon")));
        assertTrue(
                value.getMessage()
                        .startsWith(
                                "config topics.gallery.delete.retention.ms = 'soon' (from flag) is not a valid value"),
                value.getMessage());
        ConfigException range =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.frames.segment.ms", 0)));
        assertTrue(range.getMessage().contains("topics.frames.segment.ms"), range.getMessage());
        ConfigException fixed =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.feedback.cleanup.policy", "delete")));
        assertTrue(fixed.getMessage().contains("'topics.feedback.cleanup.policy'"), fixed.getMessage());
        ConfigException topic =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.facez.retention.ms", 1000)));
        assertTrue(topic.getMessage().contains("'topics.facez.retention.ms'"), topic.getMessage());
    }

    @Test
    void deadLettersMayNotOutliveFramesNorFacesTheUnknownRetention() {
        ConfigException dlq =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.dlq.retention.ms", 7200000)));
        assertTrue(
                dlq.getMessage()
                        .startsWith(
                                "topics.dlq.retention.ms = 7200000 (from flag) exceeds topics.frames.retention.ms = 3600000"),
                dlq.getMessage());
        ConfigException forever =
                assertThrows(ConfigException.class, () -> catalog(Map.of("topics.dlq.retention.ms", -1)));
        assertTrue(forever.getMessage().contains("topics.frames.retention.ms"), forever.getMessage());
        ConfigException faces = assertThrows(
                ConfigException.class,
                () -> catalog(Map.of("topics.faces.retention.ms", 7200000, "privacy.unknown-retention", "1h")));
        assertTrue(
                faces.getMessage()
                        .startsWith(
                                "topics.faces.retention.ms = 7200000 (from flag) exceeds privacy.unknown-retention"),
                faces.getMessage());
    }
}
