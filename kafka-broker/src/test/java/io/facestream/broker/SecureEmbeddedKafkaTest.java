package io.facestream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker of its own started with {@link BrokerSecurity}: SASL_SSL with SCRAM users, mutual TLS for the broker's own
 * traffic, the StandardAuthorizer with exactly the given ACLs; secrets in owner-only files; a restart on the same
 * directories reuses the certificates and passwords and drops ACLs that are no longer wanted.
 */
@Integration
class SecureEmbeddedKafkaTest {
    private static final String TOPIC = "secure-test";

    @Test
    void onlyAuthenticatedUsersDoWhatTheirAclsAllow(@TempDir Path dir) throws Exception {
        BrokerSecurity security = BrokerSecurity.prepare(dir.resolve("secure"), List.of("writer", "reader"));
        String readerPassword = Files.readString(security.clientPropertiesFile("reader"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(
                dir.resolve("data"),
                0,
                Map.of(),
                security,
                List.of(allow("writer", AclOperation.WRITE), allow("reader", AclOperation.READ)))) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = KafkaClients.admin(kafka.superUserConnection())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            // the users' properties as a service gets them: kafka.properties-file
            KafkaConnection writer = KafkaConnection.fromConfig(
                    FacestreamConfig.builder()
                            .isolated()
                            .flag(
                                    "kafka.properties-file",
                                    security.clientPropertiesFile("writer").toString())
                            .build(),
                    bootstrap);
            KafkaConnection reader = KafkaConnection.of(
                    bootstrap, KafkaConnection.readProperties(security.clientPropertiesFile("reader"), "test"));
            assertEquals(bootstrap + " (SASL_SSL SCRAM-SHA-512)", writer.toString(), "what logs may show");

            try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.producer(writer, "secure-writer"))) {
                producer.send(new ProducerRecord<>(TOPIC, "k", new byte[] {1})).get(30, TimeUnit.SECONDS);
            }
            assertEquals(
                    List.of("k"), read(reader).stream().map(ConsumerRecord::key).toList(), "the reader reads");
            assertThrows(TopicAuthorizationException.class, () -> read(writer), "the writer may not read");
            // refused before the topic: a user who may write nowhere gets no producer id. Whether the producer learns
            // it before send() returns (a KafkaException "in an error state") or from the send's future (an
            // ExecutionException) is a race between the send and the producer id request: either way the cause is
            // the broker's refusal
            Exception readerWrites = assertThrows(Exception.class, () -> send(reader));
            assertTrue(refusedByAuthorization(readerWrites), "the reader may not write: " + readerWrites);

            // nobody else: without credentials, or with a wrong password
            assertThrows(
                    Exception.class, () -> listTopics(KafkaConnection.of(bootstrap)), "PLAINTEXT on the SASL_SSL port");
            KafkaConnection wrong = writer.with(
                    Map.of(
                            "sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"writer\" password=\"guess\";"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> listTopics(wrong));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
        }

        // the files: secrets readable by their owner only, the CA certificate public and without a key
        for (String f : List.of(
                "secrets.properties", "client-writer.properties", "client-reader.properties", "broker.p12", "ca.p12")) {
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(security.dir().resolve(f))),
                    f);
        }
        String ca = Files.readString(security.caPem());
        assertTrue(ca.startsWith("-----BEGIN CERTIFICATE-----"), ca);
        assertFalse(ca.contains("PRIVATE"), "no key in ca.pem");

        // again on the same directories: same passwords and certificates; the writer's ACL is no longer wanted
        BrokerSecurity again = BrokerSecurity.prepare(dir.resolve("secure"), List.of("writer", "reader"));
        assertEquals(readerPassword, Files.readString(again.clientPropertiesFile("reader")));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(
                dir.resolve("data"), 0, Map.of(), again, List.of(allow("reader", AclOperation.READ)))) {
            KafkaConnection writer = KafkaConnection.of(
                    kafka.bootstrapServers(),
                    KafkaConnection.readProperties(again.clientPropertiesFile("writer"), "test"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> send(writer));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), "the writer's removed ACL is gone");
            KafkaConnection reader = KafkaConnection.of(
                    kafka.bootstrapServers(),
                    KafkaConnection.readProperties(again.clientPropertiesFile("reader"), "test"));
            assertEquals(1, read(reader).size(), "the data survived the restart");
        }
    }

    @Test
    void clientPropertiesThatFacestreamSetsPerClientAreRefused() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KafkaConnection.fromConfig(
                        FacestreamConfig.builder()
                                .isolated()
                                .flag("kafka.properties.group.id", "x")
                                .build(),
                        "127.0.0.1:9092"));
        assertTrue(e.getMessage().contains("'group.id'"), e.getMessage());
        ConfigException b = assertThrows(
                ConfigException.class, () -> KafkaConnection.of("a:1", Map.of("bootstrap.servers", "b:2")));
        assertTrue(b.getMessage().contains("kafka.bootstrap"), b.getMessage());
        KafkaConnection tuned = KafkaConnection.fromConfig(
                FacestreamConfig.builder()
                        .isolated()
                        .flag("kafka.properties.linger.ms", 20)
                        .flag("kafka.properties.security.protocol", "SSL")
                        .build(),
                "127.0.0.1:9092");
        assertEquals(
                "20",
                KafkaClients.producer(tuned, "p").get(ProducerConfig.LINGER_MS_CONFIG),
                "over facestream's default");
        assertEquals("SSL", KafkaClients.consumer(tuned, "g").get("security.protocol"));
        assertEquals("SSL", KafkaClients.adminConfig(tuned).get("security.protocol"));
        assertEquals(
                "127.0.0.1:9092",
                KafkaClients.streams(tuned, new java.util.Properties()).get("bootstrap.servers"));
        assertThrows(
                ConfigException.class,
                () -> EmbeddedKafka.start(
                        Path.of("unused"), 0, Map.of("listeners", "PLAINTEXT://:9"), null, List.of()));
    }

    private static AclBinding allow(String user, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    private static boolean refusedByAuthorization(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    private static void send(KafkaConnection kafka) throws Exception {
        try (var producer = new KafkaProducer<String, byte[]>(KafkaClients.with(
                KafkaClients.producer(kafka, "secure-send"), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000)))) {
            producer.send(new ProducerRecord<>(TOPIC, "x", new byte[] {2})).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(KafkaConnection kafka) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(kafka, null))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 15_000;
            while (out.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static void listTopics(KafkaConnection kafka) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.with(
                KafkaClients.adminConfig(kafka),
                Map.of(
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        5_000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        4_000)))) {
            admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }
}
