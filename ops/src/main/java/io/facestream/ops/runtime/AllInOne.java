package io.facestream.ops.runtime;

import io.facestream.broker.BrokerSecurity;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.BrokerProbe;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.service.EmbedService;
import io.facestream.ingest.IngestService;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.kafka.LocalBroker;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every facestream service in one JVM: the embedded broker (unless {@code kafka.bootstrap} names a cluster), the
 * topics, then each service that exists. Closing stops them in reverse order. {@code up} and {@code demo} run this.
 *
 * <p>With {@code kafka.secure-dir} the embedded broker is the secure one ({@link LocalBroker}) and each service
 * connects as its own user, with its {@code client-<service>.properties}; the topics are made as {@code admin}.
 */
public final class AllInOne implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final String bootstrap;
    private final FacestreamConfig config;
    private final BrokerSecurity security;
    private final KafkaConnection own;
    private final HealthRegistry health = new HealthRegistry();

    private AllInOne(FacestreamConfig config, String bootstrap, EmbeddedKafka kafka) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.security = kafka == null ? null : kafka.security();
        this.own = security != null ? kafka.superUserConnection() : KafkaConnection.fromConfig(config, bootstrap);
    }

    public static AllInOne start(FacestreamConfig config) {
        String external = config.getString("kafka.bootstrap", "").trim();
        EmbeddedKafka kafka = null;
        if (external.isEmpty()) {
            kafka = LocalBroker.start(config);
        } else if (LocalBroker.secure(config)) {
            throw new ConfigException(
                    "kafka.secure-dir (--secure) secures the embedded broker; for the cluster at " + external
                            + " set its client properties with kafka.properties-file or kafka.properties.* (docs/security.md)");
        }
        AllInOne all = new AllInOne(config, kafka == null ? external : kafka.bootstrapServers(), kafka);
        if (kafka != null) {
            all.running.push(kafka);
        }
        try {
            all.add(all.brokerProbe(config));
            all.add(all.openTransactions(config));
            try (Admin admin = KafkaClients.admin(all.connection("admin"))) {
                new TopicCreator(admin, (short) config.getInt("kafka.replication-factor"))
                        .ensure(TopicCatalog.fromConfig(config));
            }
            all.startServices(config);
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
        return all;
    }

    private BrokerProbe brokerProbe(FacestreamConfig config) {
        BrokerProbe probe = BrokerProbe.start(config, connection("admin"));
        health.register("broker", probe);
        return probe;
    }

    /** The topics the services read committed: a transaction the broker never ended there holds them back. */
    private io.facestream.core.health.OpenTransactions openTransactions(FacestreamConfig config) {
        io.facestream.core.health.OpenTransactions t = io.facestream.core.health.OpenTransactions.start(
                config,
                connection("admin"),
                java.util.List.of(
                        io.facestream.core.topics.TopicCatalog.FRAMES,
                        io.facestream.core.topics.TopicCatalog.FACES,
                        io.facestream.core.topics.TopicCatalog.MATCHES,
                        io.facestream.core.topics.TopicCatalog.GALLERY));
        health.register("transactions", t);
        return t;
    }

    /** Starts the services in data-flow order: ingest (when cameras are configured), embed, match. */
    private void startServices(FacestreamConfig config) {
        if (!config.section("cameras").isEmpty()) {
            IngestService ingest = add(IngestService.fromConfig(serviceConfig("ingest"), bootstrap));
            health.register("ingest", ingest::health);
        }
        if (config.getBoolean("embed.service.enabled")) {
            EmbedService embed = add(EmbedService.start(serviceConfig("embed"), bootstrap));
            health.register("embed", embed::health);
        }
        if (config.getBoolean("match.enabled")) {
            MatchService match = add(MatchService.start(serviceConfig("match"), bootstrap));
            match.registerHealth(health, "match.");
        }
    }

    /** Every component of this process, for the management port. */
    public HealthRegistry health() {
        return health;
    }

    /** Registers a started service so that it is stopped with the others (reverse order of start). */
    <T extends AutoCloseable> T add(T service) {
        running.push(service);
        return service;
    }

    /** The running service of this type (e.g. the match service, for its API port), if this process started one. */
    public <T> java.util.Optional<T> service(Class<T> type) {
        return running.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /**
     * The connection of this process's own tools (the demo's reader and lag check): the configured client
     * properties, or the broker's own super user when this process runs the secure broker.
     */
    public KafkaConnection connection() {
        return own;
    }

    /** The connection of one service's user: its client properties on the secure broker, else the configured ones. */
    KafkaConnection connection(String service) {
        return KafkaConnection.fromConfig(serviceConfig(service), bootstrap);
    }

    /** The configuration a service starts with: on the secure broker, with its own user's client properties. */
    private FacestreamConfig serviceConfig(String service) {
        if (security == null) {
            return config;
        }
        return config.with(Map.of(
                "kafka.properties-file", security.clientPropertiesFile(service).toString()));
    }

    @Override
    public void close() {
        while (!running.isEmpty()) {
            AutoCloseable c = running.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
