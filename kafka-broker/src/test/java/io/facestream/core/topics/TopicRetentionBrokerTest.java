package io.facestream.core.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** Configured topic settings on a real broker: a new topic gets them, {@link TopicCreator#apply} sets drifted ones. */
@KafkaBroker
class TopicRetentionBrokerTest {

    /** The catalog's spec of {@code topic} under a fresh name, so the shared broker's facestream topics stay as they are. */
    private static TopicSpec renamed(TopicCatalog catalog, String topic, String name) {
        TopicSpec s = catalog.get(topic);
        return new TopicSpec(name, 1, s.configs(), s.purpose());
    }

    private static Map<String, String> describe(Admin admin, String topic, String... keys) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(r);
        Map<String, String> out = new java.util.TreeMap<>();
        for (String k : keys) {
            out.put(k, c.get(k).value());
        }
        return out;
    }

    @Test
    void aNewTopicGetsItsConfiguredRetentionAndApplySetsDrift(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String name = "retention-" + UUID.randomUUID();
        FacestreamConfig first = FacestreamConfig.builder()
                .isolated()
                .flag("topics.faces.retention.ms", "900000")
                .build();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            TopicCreator creator = new TopicCreator(admin, (short) 1);
            List<TopicCreator.TopicState> created =
                    creator.ensure(List.of(renamed(TopicCatalog.fromConfig(first), TopicCatalog.FACES, name)));
            assertTrue(created.get(0).created());
            assertEquals(Map.of("retention.ms", "900000"), describe(admin, name, "retention.ms"));

            FacestreamConfig second =
                    first.with(Map.of("topics.faces.retention.ms", "600000", "topics.faces.segment.ms", "300000"));
            List<TopicCreator.TopicState> drifted =
                    creator.ensure(List.of(renamed(TopicCatalog.fromConfig(second), TopicCatalog.FACES, name)));
            assertEquals(
                    Map.of("retention.ms", "600000", "segment.ms", "300000"),
                    drifted.get(0).configDrift());
            assertEquals(
                    "900000",
                    describe(admin, name, "retention.ms").get("retention.ms"),
                    "ensure alone changes nothing");

            List<TopicCreator.TopicState> applied = creator.apply(drifted);
            assertEquals(List.of(), applied.get(0).drift());
            assertFalse(applied.get(0).created());
            assertEquals(
                    Map.of(
                            "retention.ms",
                            "600000",
                            "segment.ms",
                            "300000",
                            "max.message.bytes",
                            Integer.toString(2 * 1024 * 1024)),
                    describe(admin, name, "retention.ms", "segment.ms", "max.message.bytes"));
        }
    }
}
