package io.facestream.core.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's missing topics and reports what exists. Idempotent: existing topics are left as they are
 * (never re-partitioned or re-configured behind an operator's back); differences are reported, not "fixed", unless
 * the operator asks for {@link #apply} ({@code facestream topics --apply}), which sets drifted configs.
 */
public final class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    private static final long TIMEOUT_S = 30;

    /** What a topic looks like on the cluster after {@link #ensure}. */
    public record TopicState(
            TopicSpec expected, boolean created, int partitions, int replicationFactor, Map<String, String> configs) {
        /** Topic configs whose value on the cluster differs from the catalog's, with the catalog's value. */
        public Map<String, String> configDrift() {
            Map<String, String> out = new java.util.TreeMap<>();
            expected.configs().forEach((k, v) -> {
                if (!v.equals(configs.get(k))) {
                    out.put(k, v);
                }
            });
            return out;
        }

        /** Settings that differ from the catalog, as "key: actual (expected X)". */
        public List<String> drift() {
            List<String> out = new ArrayList<>();
            if (partitions != expected.partitions()) {
                out.add("partitions: " + partitions + " (expected " + expected.partitions() + ")");
            }
            expected.configs().forEach((k, v) -> {
                if (!v.equals(configs.get(k))) {
                    out.add(k + ": " + configs.get(k) + " (expected " + v + ")");
                }
            });
            return out;
        }
    }

    private final Admin admin;
    private final short replicationFactor;

    public TopicCreator(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    public List<TopicState> ensure(TopicCatalog catalog) {
        return ensure(catalog.topics());
    }

    public List<TopicState> ensure(Collection<TopicSpec> specs) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(
                            new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.configs()));
                }
            }
            Set<String> created = new java.util.HashSet<>();
            for (var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                    created.add(e.getKey());
                    LOG.info("created topic {}", e.getKey());
                } catch (ExecutionException ex) {
                    // another instance created it between our list and create: that is the idempotent case
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
            return describeOnceVisible(specs, created);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create facestream topics: " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Sets every drifted topic config of {@code states} to the catalog's value (one incremental alter per topic, only
     * the drifted keys: settings the catalog does not name are left alone) and describes the topics again. Partition
     * counts are not changed: adding partitions moves keys (cameras, subjects) to other partitions, so that stays an
     * operator's decision, reported as drift.
     */
    public List<TopicState> apply(List<TopicState> states) {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (TopicState s : states) {
            List<AlterConfigOp> set = new ArrayList<>();
            s.configDrift()
                    .forEach((k, v) -> set.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
            if (!set.isEmpty()) {
                ops.put(
                        new ConfigResource(
                                ConfigResource.Type.TOPIC, s.expected().name()),
                        set);
            }
        }
        try {
            if (!ops.isEmpty()) {
                admin.incrementalAlterConfigs(ops).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                ops.forEach((r, o) -> LOG.info(
                        "altered topic {}: {}",
                        r.name(),
                        o.stream()
                                .map(x -> x.configEntry().name() + "="
                                        + x.configEntry().value())
                                .toList()));
            }
            Set<String> created = new java.util.HashSet<>();
            states.stream()
                    .filter(TopicState::created)
                    .forEach(s -> created.add(s.expected().name()));
            return describe(states.stream().map(TopicState::expected).toList(), created);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot alter facestream topics' configs: " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while altering topic configs", e);
        }
    }

    /** A just-created topic can take a moment to reach the broker's metadata cache; describing it retries until then. */
    private List<TopicState> describeOnceVisible(Collection<TopicSpec> specs, Set<String> created)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                return describe(specs, created);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private List<TopicState> describe(Collection<TopicSpec> specs, Set<String> created)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        Map<ConfigResource, Config> configs =
                admin.describeConfigs(resources).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<TopicState> states = new ArrayList<>();
        for (TopicSpec spec : specs) {
            TopicDescription d = descriptions.get(spec.name());
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            Map<String, String> relevant = new HashMap<>();
            for (String key : spec.configs().keySet()) {
                ConfigEntry entry = c.get(key);
                relevant.put(key, entry == null ? null : entry.value());
            }
            int rf = d.partitions().isEmpty()
                    ? 0
                    : d.partitions().get(0).replicas().size();
            states.add(new TopicState(
                    spec, created.contains(spec.name()), d.partitions().size(), rf, relevant));
        }
        return states;
    }

    /**
     * Whether {@code e} (from {@link #ensure}) is the broker refusing this user the topics: a least-privilege service
     * user may not create them (docs/security.md), the administrator does with {@code facestream topics}.
     */
    public static boolean refused(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
