package io.facestream.match.notify;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.topics.TopicCatalog;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells MQTT and webhooks about the decisions on {@code facestream.matches}. It reads the topic as its own consumer
 * group ({@code notify.group}), so each decision is notified once per group however many match instances run (they
 * share the partitions), and independently of the API's feed. A poll's decisions go to every sink (sinks in
 * parallel, each in the topic's order), a failed attempt is retried with exponential backoff, and a decision a sink
 * still refuses after the last attempt is written to {@code facestream.dlq} (the original record, with
 * {@code fs.dlq.*} reasons and {@value #SINK_HEADER}). Offsets are committed only after that, so a crash re-sends:
 * delivery to external sinks is at least once, and receivers de-duplicate by {@code match_id}. A new group starts at
 * the end of the topic: switching notifications on does not replay the history.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** {@code fs.dlq.stage} of notification dead letters. */
    public static final String STAGE = "match-notify";
    /** The sink that refused the decision ({@code mqtt}, {@code webhook:<name>}). */
    public static final String SINK_HEADER = "fs.notify.sink";

    public static final String ATTEMPTS_HEADER = "fs.notify.attempts";
    private static final int MAX_POLL_RECORDS = 20;

    /** What one sink did since the start. */
    public record Counts(long delivered, long retries, long deadLettered) {}

    private final List<Sink> sinks;
    private final RetryPolicy retry;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile Exception failure;

    private Notifier(List<Sink> sinks, RetryPolicy retry, Duration timeout, KafkaConnection kafka, String group) {
        this.sinks = List.copyOf(sinks);
        this.retry = retry;
        // a poll's decisions must be through every retry before the group thinks this member is gone
        long worstPerRecordMs = retry.attempts() * timeout.toMillis();
        for (int a = 1; a < retry.attempts(); a++) {
            worstPerRecordMs += retry.backoffAfter(a).toMillis();
        }
        long pollInterval =
                Math.min(Integer.MAX_VALUE, Math.max(300_000L, MAX_POLL_RECORDS * worstPerRecordMs + 60_000L));
        this.consumer = new KafkaConsumer<>(KafkaClients.with(
                KafkaClients.consumer(kafka, group),
                Map.of(
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "latest",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        MAX_POLL_RECORDS,
                        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                        (int) pollInterval)));
        this.deadLetters = new KafkaProducer<>(KafkaClients.with(
                KafkaClients.producer(kafka, group + "-dlq"),
                Map.of(
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                        ByteArraySerializer.class.getName(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        0)));
        for (Sink s : this.sinks) {
            counts.put(s.name(), new AtomicLong[] {new AtomicLong(), new AtomicLong(), new AtomicLong()});
        }
        this.thread = Thread.ofPlatform().name("facestream-notify").daemon().unstarted(this::run);
    }

    /**
     * Starts the notifier of {@code settings} (call only when {@link NotifySettings#enabled()}).
     *
     * @param displayNames (gallery, subject id) → display name, for the Home Assistant sensor's state
     */
    public static Notifier start(
            NotifySettings settings,
            KafkaConnection kafka,
            BiFunction<String, String, Optional<String>> displayNames,
            Clock clock) {
        List<Sink> sinks = new ArrayList<>();
        if (settings.mqtt() != null) {
            sinks.add(new MqttSink(settings.mqtt(), displayNames, clock).connectQuietly());
        }
        sinks.addAll(settings.webhooks());
        settings.webhooks().forEach(w -> LOG.info("notifications to {}", w));
        return start(sinks, settings.retry(), settings.timeout(), kafka, settings.group());
    }

    /** Starts with the given sinks (a test gives its own webhooks and broker). */
    public static Notifier start(
            List<Sink> sinks, RetryPolicy retry, Duration timeout, KafkaConnection kafka, String group) {
        Notifier n;
        try {
            n = new Notifier(sinks, retry, timeout, kafka, group);
        } catch (RuntimeException e) {
            sinks.forEach(Sink::close);
            throw e;
        }
        n.consumer.subscribe(List.of(TopicCatalog.MATCHES));
        n.thread.start();
        return n;
    }

    /** What {@code sink} (its {@link Sink#name()}) did since the start. */
    public Counts counts(String sink) {
        AtomicLong[] c = counts.get(sink);
        if (c == null) {
            throw new IllegalArgumentException("no sink " + sink + "; sinks: " + counts.keySet());
        }
        return new Counts(c[0].get(), c[1].get(), c[2].get());
    }

    /** Why the notifier stopped, or null while it runs. */
    public Exception failure() {
        return failure;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                if (!handle(records)) {
                    break; // closing in the middle of a poll: not committed, sent again by the next member
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            if (running) {
                failure = e;
                LOG.error(
                        "notifications stopped: {}; decisions since the last commit will be sent again on restart",
                        e.toString(),
                        e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private record Decision(ConsumerRecord<String, byte[]> record, Match match) {}

    /** Sends one poll's decisions to every sink; false when closing interrupted it. */
    private boolean handle(ConsumerRecords<String, byte[]> records) throws Exception {
        List<Decision> decisions = new ArrayList<>();
        List<Future<RecordMetadata>> written = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                continue;
            }
            try {
                decisions.add(new Decision(r, JsonSerde.match().deserializer().deserialize(r.topic(), r.value())));
            } catch (RuntimeException e) {
                written.add(
                        deadLetters.send(DeadLetter.of(r, STAGE, "not a Match JSON, not notified: " + e.getMessage())));
            }
        }
        List<Thread> workers = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean[] interrupted = {false};
        for (Sink sink : sinks) {
            workers.add(Thread.ofVirtual()
                    .name("facestream-notify-" + sink.name())
                    .start(() -> {
                        AtomicLong[] c = counts.get(sink.name());
                        Counter delivered =
                                Metrics.registry().counter("facestream_notify_delivered", "sink", sink.name());
                        Counter retries = Metrics.registry().counter("facestream_notify_retries", "sink", sink.name());
                        Counter dead =
                                Metrics.registry().counter("facestream_notify_dead_letters", "sink", sink.name());
                        for (Decision d : decisions) {
                            if (!sink.rule().matches(d.match())) {
                                continue;
                            }
                            Delivery.Outcome o;
                            try {
                                o = Delivery.deliver(sink, d.match(), d.record().value(), retry, this::pause);
                            } catch (InterruptedException e) {
                                synchronized (interrupted) {
                                    interrupted[0] = true;
                                }
                                return;
                            }
                            c[1].addAndGet(o.attempts() - 1);
                            retries.increment(o.attempts() - 1);
                            if (o.delivered()) {
                                c[0].incrementAndGet();
                                delivered.increment();
                            } else {
                                String reason = sink.name() + ": " + o.attempts() + " attempts failed, the last: "
                                        + o.failure();
                                LOG.warn(
                                        "decision {} not delivered to {} ({}); written to {}",
                                        d.match().matchId(),
                                        sink.name(),
                                        reason,
                                        TopicCatalog.DLQ);
                                ProducerRecord<byte[], byte[]> letter = DeadLetter.of(d.record(), STAGE, reason);
                                letter.headers().add(SINK_HEADER, sink.name().getBytes(StandardCharsets.UTF_8));
                                letter.headers()
                                        .add(
                                                ATTEMPTS_HEADER,
                                                Integer.toString(o.attempts()).getBytes(StandardCharsets.UTF_8));
                                refused.add(letter);
                                c[2].incrementAndGet();
                                dead.increment();
                            }
                        }
                    }));
        }
        for (Thread t : workers) {
            t.join();
        }
        synchronized (interrupted) {
            if (interrupted[0]) {
                return false;
            }
        }
        for (ProducerRecord<byte[], byte[]> letter : refused) {
            written.add(deadLetters.send(letter));
        }
        for (Future<RecordMetadata> f : written) {
            f.get(30, TimeUnit.SECONDS); // a dead letter not written must not be committed past
        }
        return true;
    }

    private void pause(Duration d) throws InterruptedException {
        if (closing.await(d.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new InterruptedException("closing");
        }
    }

    @Override
    public void close() {
        running = false;
        closing.countDown();
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sinks.forEach(Sink::close);
        deadLetters.close(Duration.ofSeconds(5));
    }
}
