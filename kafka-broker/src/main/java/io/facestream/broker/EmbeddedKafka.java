package io.facestream.broker;

import io.facestream.core.config.ConfigException;
import io.facestream.core.files.FileTrees;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker+controller) running in this JVM.
 *
 * <p>The data directory is formatted once; starting again on the same directory keeps every topic and offset, which
 * is what lets {@code facestream up} survive a restart. A temporary broker ({@link #startTemporary()}) deletes its
 * directory on close.
 *
 * <p>By default it has one PLAINTEXT listener and no authorization: anyone who reaches the port reads and writes
 * every topic. Started with a {@link BrokerSecurity} it listens with SASL_SSL (SCRAM-SHA-512) instead, authorizes
 * with the StandardAuthorizer and creates the given users and ACLs (docs/security.md).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    /** Broker settings that make it the embedded single node on loopback; {@code kafka.broker.*} cannot change them. */
    static final Set<String> OWNED = Set.of(
            "process.roles",
            "node.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "listeners",
            "advertised.listeners",
            "controller.listener.names",
            "listener.security.protocol.map",
            "inter.broker.listener.name",
            "security.inter.broker.protocol",
            "log.dirs",
            "log.dir",
            "metadata.log.dir");

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final KafkaRaftServer server;
    private final String bootstrap;
    private final KafkaConnection superUser;
    private final BrokerSecurity security;
    private final List<AclBinding> acls;
    private boolean closed;

    private EmbeddedKafka(
            Path dataDir,
            int port,
            boolean deleteOnClose,
            Map<String, String> brokerProperties,
            BrokerSecurity security,
            Collection<AclBinding> acls) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.security = security;
        this.acls = List.copyOf(acls);
        for (String key : brokerProperties.keySet()) {
            if (OWNED.contains(key)) {
                throw new ConfigException(
                        "broker property '" + key + "' (kafka.broker." + key + ") is the embedded broker's own: "
                                + "it listens on 127.0.0.1 (kafka.port) and keeps its data in kafka.data-dir");
            }
        }
        if (security == null && !acls.isEmpty()) {
            throw new IllegalArgumentException("ACLs need a secure broker");
        }
        // every port this broker needs, picked at once: ports picked one after the other could be the same one twice
        int[] free = freePorts(3);
        int brokerPort = port > 0 ? port : free[0];
        int controllerPort = free[1] != port ? free[1] : free[0];
        int internalPort = free[2] != port ? free[2] : free[0];
        this.bootstrap = "127.0.0.1:" + brokerPort;
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        if (security == null) {
            this.superUser = KafkaConnection.of(bootstrap);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://" + bootstrap);
        } else {
            // clients: SASL_SSL with SCRAM; the broker's own traffic (inter-broker, controller): mutual TLS
            String internal = "127.0.0.1:" + internalPort;
            this.superUser = KafkaConnection.of(internal, security.superUserProperties());
            p.put(
                    "listeners",
                    "CLIENTS://" + bootstrap + ",INTERNAL://" + internal + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "CLIENTS://" + bootstrap + ",INTERNAL://" + internal);
            p.put("listener.security.protocol.map", "CLIENTS:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
            p.put("inter.broker.listener.name", "INTERNAL");
            p.putAll(security.brokerProperties("CLIENTS", "INTERNAL", "CONTROLLER"));
        }
        p.put("controller.listener.names", "CONTROLLER");
        p.put("log.dirs", dataDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        // frames carry whole JPEGs
        p.put("message.max.bytes", Integer.toString(16 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", Integer.toString(16 * 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        p.put("log.cleaner.backoff.ms", "1000");
        p.putAll(brokerProperties);
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            format();
        }
        this.server = new KafkaRaftServer(config, Time.SYSTEM);
    }

    /** Starts a broker on {@code port} (0 = any free port) keeping its data in {@code dataDir}. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, Map.of(), null, List.of());
    }

    /**
     * Starts a broker on {@code port} (0 = any free port) keeping its data in {@code dataDir}.
     *
     * @param brokerProperties broker settings over the embedded broker's ({@code kafka.broker.*}); its listeners, roles
     *                         and directories are its own and cannot be set
     * @param security         null: one PLAINTEXT listener, no authentication, no authorization. Else a SASL_SSL
     *                         listener on {@code port} for {@code security}'s SCRAM users, created on start, and the
     *                         StandardAuthorizer: nothing is allowed that {@code acls} does not allow
     * @param acls             the ACLs of {@code security}'s users, made to be exactly these on start (others of the
     *                         same users are removed); visible to the broker when this returns
     */
    public static EmbeddedKafka start(
            Path dataDir,
            int port,
            Map<String, String> brokerProperties,
            BrokerSecurity security,
            Collection<AclBinding> acls) {
        EmbeddedKafka k = new EmbeddedKafka(dataDir, port, false, brokerProperties, security, acls);
        k.startup();
        return k;
    }

    /** Starts a broker on a free port with a fresh temporary directory, deleted on close. */
    public static EmbeddedKafka startTemporary() {
        try {
            EmbeddedKafka k = new EmbeddedKafka(
                    Files.createTempDirectory("facestream-kafka-"), 0, true, Map.of(), null, List.of());
            k.startup();
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void format() {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(dataDir.toString())
                    .addDirectory(dataDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void startup() {
        long t0 = System.nanoTime();
        server.startup();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = KafkaClients.admin(superUser)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException(
                                "embedded Kafka did not become ready on " + bootstrap + " within 60 s", e);
                    }
                }
            }
            if (security != null) {
                try {
                    security.upsertUsers(admin);
                    applyAcls(admin);
                } catch (RuntimeException e) {
                    close();
                    throw e;
                }
            }
        }
        if (security == null) {
            LOG.info(
                    "embedded Kafka ready on {} (data {}) in {} ms",
                    bootstrap,
                    dataDir,
                    (System.nanoTime() - t0) / 1_000_000);
        } else {
            LOG.info(
                    "embedded Kafka ready on {} (SASL_SSL, {}; users {}, {} ACLs; data {}) in {} ms",
                    bootstrap,
                    BrokerSecurity.MECHANISM,
                    security.users(),
                    acls.size(),
                    dataDir,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Makes the ACLs of the security's users exactly {@link #acls}, then waits until the broker's authorizer has them. */
    private void applyAcls(Admin admin) {
        Set<String> principals = security.users().stream().map(u -> "User:" + u).collect(Collectors.toSet());
        for (AclBinding b : acls) {
            if (!principals.contains(b.entry().principal())) {
                throw new IllegalArgumentException(
                        "ACL for " + b.entry().principal() + ", who is not one of the users " + security.users());
            }
        }
        try {
            Collection<AclBinding> existing =
                    admin.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS);
            List<AclBindingFilter> stale = existing.stream()
                    .filter(b -> principals.contains(b.entry().principal()) && !acls.contains(b))
                    .map(AclBinding::toFilter)
                    .toList();
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(60, TimeUnit.SECONDS);
                LOG.info("removed {} ACL(s) of facestream users that the current set no longer has", stale.size());
            }
            List<AclBinding> missing =
                    acls.stream().filter(b -> !existing.contains(b)).toList();
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get(60, TimeUnit.SECONDS);
            }
            // the controller has them; the broker's authorizer and SCRAM cache follow its metadata a moment later
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                Collection<AclBinding> now =
                        admin.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS);
                boolean aclsThere = now.containsAll(acls)
                        && now.stream()
                                .noneMatch(b -> principals.contains(b.entry().principal()) && !acls.contains(b));
                boolean usersThere = admin.describeUserScramCredentials(security.users())
                        .all()
                        .get(60, TimeUnit.SECONDS)
                        .keySet()
                        .containsAll(security.users());
                if (aclsThere && usersThere) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the broker did not show the facestream users and ACLs within 60 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying ACLs", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot apply the ACLs of the facestream users: " + BrokerSecurity.rootMessage(e), e);
        }
    }

    /** The client listener's address: PLAINTEXT, or SASL_SSL when started with security. */
    public String bootstrapServers() {
        return bootstrap;
    }

    /**
     * The connection of the broker itself: plaintext, or mutual TLS as the super user on the internal listener. For the
     * process that runs the broker (administration on start); services use their own users' properties.
     */
    public KafkaConnection superUserConnection() {
        return superUser;
    }

    /** The security material, or null for a plaintext broker. */
    public BrokerSecurity security() {
        return security;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
        LOG.info("embedded Kafka on {} stopped", bootstrap);
    }

    /**
     * {@code n} distinct free ports on loopback: all sockets are held open until every port is known, because the
     * system may hand out a port it just released again (seen: a secure broker's client and internal listeners on the
     * same port).
     */
    private static int[] freePorts(int n) {
        List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing a listening socket that accepted nothing
                }
            }
        }
    }

    /** Best effort: a temporary broker directory left behind is harmless. */
    static void deleteRecursively(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (UncheckedIOException ignored) {
            // best effort
        }
    }
}
