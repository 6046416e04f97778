package io.facestream.core.health;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches the topics a process reads with {@code read_committed} for a transaction that never ends. A reader sees a
 * partition only up to its last stable offset (LSO), the first offset of the oldest open transaction; records written
 * after it, committed or not, wait. A transaction normally ends within its timeout (the broker aborts it then), so an
 * LSO that stays where it is, below the partition's end, for longer than {@code management.stuck-transaction-after}
 * means one the broker will not end by itself: seen after a single broker was killed while committing
 * (docs/reliability.md, "A broker killed during a commit"). Nothing after it reaches the services, so this is DOWN
 * until an operator aborts the transaction ({@code kafka-transactions.sh}) and the LSO moves.
 *
 * <p>Asks the broker (two ListOffsets per interval: the end and the LSO of every partition) on a background thread;
 * a health request never waits on the broker. The broker being away is {@link BrokerProbe}'s report, not this one's.
 */
public final class OpenTransactions implements Supplier<Health>, AutoCloseable {
    private final KafkaConnection kafka;
    private final List<String> topics;
    private final Duration after;
    private AdminProbe probe;
    /** partition -> {LSO, since (nanos) it has been at that value below the end}, on the probe thread */
    private final Map<TopicPartition, long[]> stable = new HashMap<>();

    private volatile Health state = Health.up("not asked yet");

    private OpenTransactions(KafkaConnection kafka, List<String> topics, Duration after) {
        this.kafka = kafka;
        this.topics = List.copyOf(topics);
        this.after = after;
    }

    /**
     * Watches {@code topics} every {@code management.broker-check-interval} (at least every 10 s), reporting a partition
     * held for {@code management.stuck-transaction-after}.
     */
    public static OpenTransactions start(FacestreamConfig config, KafkaConnection kafka, List<String> topics) {
        Duration every = config.getDuration("management.broker-check-interval");
        return start(
                kafka,
                topics,
                every.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : every,
                config.getDuration("management.stuck-transaction-after"));
    }

    public static OpenTransactions start(
            KafkaConnection kafka, List<String> topics, Duration interval, Duration after) {
        OpenTransactions t = new OpenTransactions(kafka, topics, after);
        t.probe = AdminProbe.start(
                "facestream-open-transactions",
                kafka,
                interval,
                (int) Math.max(1000, Math.min(30_000, interval.toMillis() * 3)),
                (admin, timeoutMs) -> t.state = t.check(admin, timeoutMs),
                // the broker away or a topic not there yet: BrokerProbe says so; the last verdict stands
                e -> {});
        return t;
    }

    private Health check(Admin admin, int timeoutMs) throws Exception {
        List<TopicPartition> parts = new ArrayList<>();
        admin.describeTopics(topics)
                .allTopicNames()
                .get(timeoutMs, TimeUnit.MILLISECONDS)
                .forEach((name, d) -> d.partitions().forEach(p -> parts.add(new TopicPartition(name, p.partition()))));
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .all()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        var lsos = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        long now = System.nanoTime();
        Map<String, String> held = new TreeMap<>();
        for (TopicPartition tp : parts) {
            long end = ends.get(tp).offset();
            long lso = lsos.get(tp).offset();
            if (lso >= end) {
                stable.remove(tp);
                continue;
            }
            long[] s = stable.get(tp);
            if (s == null || s[0] != lso) {
                stable.put(tp, new long[] {lso, now});
                continue;
            }
            long heldFor = now - s[1];
            if (heldFor >= after.toNanos()) {
                held.put(
                        tp.toString(),
                        "stable offset " + lso + " of " + end + " for "
                                + Duration.ofNanos(heldFor).toSeconds() + " s");
            }
        }
        stable.keySet().retainAll(parts);
        if (held.isEmpty()) {
            return Health.up("no transaction held open past " + after.toSeconds() + " s on " + topics);
        }
        return Health.down("a transaction that does not end holds back " + held
                + ": readers see nothing after it; find it with kafka-transactions.sh --bootstrap-server "
                + kafka.bootstrap() + " find-hanging --broker-id <leader>, end it with kafka-transactions.sh ... abort"
                + " (docs/reliability.md)");
    }

    @Override
    public Health get() {
        return state;
    }

    @Override
    public void close() {
        probe.close();
    }
}
