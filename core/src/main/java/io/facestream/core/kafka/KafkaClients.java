package io.facestream.core.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place where facestream builds Kafka client settings, so that the client properties of a
 * {@link KafkaConnection} (security, credentials, tuning) reach every producer, consumer, admin client and Kafka
 * Streams instance. Layers, later wins: facestream's defaults for the kind of client, the connection's properties,
 * then what the call sets for its guarantees (ids, serializers; and what a caller adds with {@link #with}).
 *
 * <p>The {@code String} overloads connect with Kafka's defaults (PLAINTEXT, no credentials): for tests and tools
 * that are given an address only. Services take a {@link KafkaConnection}.
 */
public final class KafkaClients {
    private KafkaClients() {}

    public static Admin admin(KafkaConnection kafka) {
        return Admin.create(adminConfig(kafka));
    }

    public static Admin admin(String bootstrap) {
        return admin(KafkaConnection.of(bootstrap));
    }

    public static Properties adminConfig(KafkaConnection kafka) {
        Properties p = new Properties();
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.putAll(kafka.properties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        return p;
    }

    public static Properties adminConfig(String bootstrap) {
        return adminConfig(KafkaConnection.of(bootstrap));
    }

    /** Idempotent producer with byte[] values, sized for frames. */
    public static Properties producer(KafkaConnection kafka, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // JPEG does not compress
        p.putAll(kafka.properties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    public static Properties producer(String bootstrap, String clientId) {
        return producer(KafkaConnection.of(bootstrap), clientId);
    }

    /** Consumer with String keys and byte[] values that reads committed data only. */
    public static Properties consumer(KafkaConnection kafka, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        p.putAll(kafka.properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }

    public static Properties consumer(String bootstrap, String groupId) {
        return consumer(KafkaConnection.of(bootstrap), groupId);
    }

    /**
     * A Kafka Streams application's settings: the connection's client properties (Kafka Streams hands them to each of
     * its clients), then the application's own {@code settings}, with the connection's bootstrap address.
     */
    public static Properties streams(KafkaConnection kafka, Properties settings) {
        Properties p = new Properties();
        p.putAll(kafka.properties());
        p.putAll(settings);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        return p;
    }

    public static Properties with(Properties base, Map<String, Object> extra) {
        Properties p = new Properties();
        p.putAll(base);
        p.putAll(extra);
        return p;
    }
}
