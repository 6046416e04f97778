package io.facestream.ops.runtime;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.BrokerProbe;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.kafka.EmbeddedKafka;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.service.EmbedService;
import io.facestream.ingest.IngestService;
import io.facestream.match.runtime.MatchService;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every facestream service in one JVM: the embedded broker (unless {@code kafka.bootstrap} names a cluster), the
 * topics, then each service that exists. Closing stops them in reverse order. {@code up} and {@code demo} run this.
 */
public final class AllInOne implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final String bootstrap;
    private final KafkaConnection own;
    private final HealthRegistry health = new HealthRegistry();

    private AllInOne(FacestreamConfig config, String bootstrap) {
        this.bootstrap = bootstrap;
        this.own = KafkaConnection.fromConfig(config, bootstrap);
    }

    public static AllInOne start(FacestreamConfig config) {
        String external = config.getString("kafka.bootstrap", "").trim();
        EmbeddedKafka kafka = null;
        if (external.isEmpty()) {
            kafka = EmbeddedKafka.start(config.getPath("kafka.data-dir"), config.getInt("kafka.port"));
        }
        AllInOne all = new AllInOne(config, kafka == null ? external : kafka.bootstrapServers());
        if (kafka != null) {
            all.running.push(kafka);
        }
        try {
            all.add(all.brokerProbe(config));
            try (Admin admin = KafkaClients.admin(all.own)) {
                new TopicCreator(admin, (short) config.getInt("kafka.replication-factor")).ensure(TopicCatalog.fromConfig(config));
            }
            all.startServices(config);
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
        return all;
    }

    private BrokerProbe brokerProbe(FacestreamConfig config) {
        BrokerProbe probe = BrokerProbe.start(own, config.getDuration("management.broker-check-interval"));
        health.register("broker", probe);
        return probe;
    }

    /** Starts the services in data-flow order: ingest (when cameras are configured), embed, match. */
    private void startServices(FacestreamConfig config) {
        if (!config.section("cameras").isEmpty()) {
            IngestService ingest = add(IngestService.fromConfig(config, bootstrap));
            health.register("ingest", ingest::health);
        }
        if (config.getBoolean("embed.service.enabled")) {
            EmbedService embed = add(EmbedService.start(config, bootstrap));
            health.register("embed", embed::health);
        }
        if (config.getBoolean("match.enabled")) {
            MatchService match = add(MatchService.start(config, bootstrap));
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

    /** The connection of this process's own tools (the demo's reader and lag check): the configured client properties. */
    public KafkaConnection connection() {
        return own;
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
