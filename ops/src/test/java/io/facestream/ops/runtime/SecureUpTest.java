package io.facestream.ops.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.Health;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --secure DIR} without the heavy services: the secure embedded broker with {@code kafka.broker.*} over its
 * settings, the topics made as the admin user and the health probe connected as that user.
 */
class SecureUpTest {

    @Test
    void upOnTheSecureBrokerMakesTheTopicsAsAdminAndProbesTheBroker(@TempDir Path dir) throws Exception {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.port", 0)
                .flag("kafka.data-dir", dir.resolve("kafka").toString())
                .flag("kafka.secure-dir", dir.resolve("secure").toString())
                .flag("kafka.broker.log.retention.hours", 5)
                .flag("management.broker-check-interval", "200ms")
                .flag("embed.service.enabled", false)
                .flag("match.enabled", false)
                .build();
        try (AllInOne all = AllInOne.start(config)) {
            assertEquals("SASL_SSL", all.connection("admin").securityProtocol());
            try (Admin admin = KafkaClients.admin(all.connection("admin"))) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(
                        topics.containsAll(TopicCatalog.defaults().topics().stream()
                                .map(t -> t.name())
                                .toList()),
                        topics.toString());
            }
            try (Admin broker = KafkaClients.admin(all.connection())) { // the broker's own super user
                ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
                assertEquals(
                        "5",
                        broker.describeConfigs(List.of(node))
                                .all()
                                .get(30, TimeUnit.SECONDS)
                                .get(node)
                                .get("log.retention.hours")
                                .value(),
                        "kafka.broker.* reached the broker");
            }
            long deadline = System.currentTimeMillis() + 10_000;
            Health probe = all.health().report().components().get("broker");
            while (probe.status() != Health.Status.UP && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                probe = all.health().report().components().get("broker");
            }
            assertEquals(Health.Status.UP, probe.status(), probe.toString());
        }
        ConfigException e = assertThrows(
                ConfigException.class, () -> AllInOne.start(config.with(Map.of("kafka.bootstrap", "127.0.0.1:1"))));
        assertTrue(e.getMessage().contains("kafka.properties-file"), e.getMessage());
    }
}
