package io.facestream.core.kafka;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a facestream client connects and how: the bootstrap address and the Kafka client properties every producer,
 * consumer, admin client and Kafka Streams instance of a service gets ({@code security.protocol},
 * {@code sasl.jaas.config}, {@code ssl.truststore.location}, tuning...). {@link KafkaClients} applies them.
 *
 * <p>From the configuration ({@link #fromConfig}): the Java properties file {@code kafka.properties-file}, then the
 * {@code kafka.properties.<name>} keys over it. The settings a service makes for its delivery guarantees (group and
 * transactional ids, serializers, isolation) are not configurable here: such a key is refused.
 *
 * <p>The properties may hold secrets (a JAAS password): {@link #toString()} names the address and the security
 * protocol only, never a value.
 */
public final class KafkaConnection {
    /** Keys facestream sets per client for its guarantees; setting them for every client would break them. */
    static final Set<String> OWNED = Set.of(
            "bootstrap.servers",
            "key.serializer",
            "value.serializer",
            "key.deserializer",
            "value.deserializer",
            "group.id",
            "group.instance.id",
            "transactional.id",
            "application.id",
            "isolation.level",
            "enable.auto.commit",
            "processing.guarantee",
            "client.id");

    private final String bootstrap;
    private final Map<String, String> properties;

    private KafkaConnection(String bootstrap, Map<String, String> properties) {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** Kafka's defaults: a PLAINTEXT connection without credentials (tests, the plaintext embedded broker). */
    public static KafkaConnection of(String bootstrap) {
        return new KafkaConnection(bootstrap, Map.of());
    }

    /** {@code bootstrap} with these client properties; a key facestream owns ({@code group.id}, ...) is refused. */
    public static KafkaConnection of(String bootstrap, Map<String, String> properties) {
        for (String key : properties.keySet()) {
            if (OWNED.contains(key)) {
                throw new ConfigException("Kafka client property '" + key + "' cannot be set for every client"
                        + (key.equals("bootstrap.servers")
                                ? ": set kafka.bootstrap (or --bootstrap) instead"
                                : ": facestream sets it per client"));
            }
        }
        return new KafkaConnection(bootstrap, properties);
    }

    /** {@code bootstrap} with the client properties of {@code config}: {@code kafka.properties-file}, then {@code kafka.properties.*}. */
    public static KafkaConnection fromConfig(FacestreamConfig config, String bootstrap) {
        return of(bootstrap, clientProperties(config));
    }

    /** The Kafka client properties {@code config} sets for every client. */
    public static Map<String, String> clientProperties(FacestreamConfig config) {
        Map<String, String> out = new TreeMap<>();
        String file = config.getString("kafka.properties-file", "").trim();
        if (!file.isEmpty()) {
            Path path = config.getPath("kafka.properties-file");
            out.putAll(readProperties(path, "kafka.properties-file"));
        }
        config.section("kafka.properties").forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** A Java properties file as a map; a missing or unreadable file is a {@link ConfigException} naming {@code what}. */
    public static Map<String, String> readProperties(Path path, String what) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException(what + " " + path + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** The client properties (possibly secrets: never log them). */
    public Map<String, String> properties() {
        return properties;
    }

    /** The same address with more client properties over these. */
    public KafkaConnection with(Map<String, String> more) {
        Map<String, String> all = new TreeMap<>(properties);
        all.putAll(more);
        return of(bootstrap, all);
    }

    /** {@code security.protocol} (PLAINTEXT when unset). */
    public String securityProtocol() {
        return properties.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /** The address and the security protocol (and SASL mechanism): safe to log. */
    @Override
    public String toString() {
        String mechanism = properties.get("sasl.mechanism");
        return bootstrap + " (" + securityProtocol()
                + (mechanism != null && securityProtocol().startsWith("SASL") ? " " + mechanism : "") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaConnection c && c.bootstrap.equals(bootstrap) && c.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrap, properties);
    }
}
