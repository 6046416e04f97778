package io.facestream.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * On a real broker: a transaction held open (here by a live producer that neither commits nor aborts, with a long
 * timeout) keeps a partition's last stable offset below its end while other records arrive; past the configured time
 * the check turns DOWN naming the partition and the way to abort it, and UP again once the transaction ends.
 */
@KafkaBroker
class OpenTransactionsTest {

    @Test
    void aTransactionHeldPastTheLimitIsReportedAndClearsWhenItEnds(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String topic = "held-" + UUID.randomUUID();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties tx = KafkaClients.producer(bootstrap, "held-open");
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "held-open-" + UUID.randomUUID());
        tx.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
        try (KafkaProducer<String, byte[]> holder = new KafkaProducer<>(tx);
                KafkaProducer<String, byte[]> others =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "held-others"));
                OpenTransactions check = OpenTransactions.start(
                        KafkaConnection.of(bootstrap), List.of(topic), Duration.ofMillis(200), Duration.ofSeconds(2))) {
            others.send(new ProducerRecord<>(topic, 1, "k", new byte[] {1})).get();
            await(check, h -> h.status() == Health.Status.UP && !h.detail().equals("not asked yet"), 30);

            holder.initTransactions();
            holder.beginTransaction();
            holder.send(new ProducerRecord<>(topic, 0, "k", new byte[] {2})).get();
            long opened = System.nanoTime();
            others.send(new ProducerRecord<>(topic, 0, "k", new byte[] {3})).get(); // waits behind it
            Thread.sleep(1000);
            assertEquals(Health.Status.UP, check.get().status(), "an open transaction within the limit is normal");

            Health held = await(check, h -> h.status() == Health.Status.DOWN, 30);
            assertTrue(System.nanoTime() - opened >= Duration.ofSeconds(2).toNanos(), "not before the limit");
            assertTrue(held.detail().contains(topic + "-0"), held.detail());
            assertTrue(!held.detail().contains(topic + "-1"), "the other partition is not held: " + held.detail());
            assertTrue(held.detail().contains("kafka-transactions.sh"), held.detail());

            holder.commitTransaction();
            await(check, h -> h.status() == Health.Status.UP, 30);
        }
    }

    private static Health await(OpenTransactions check, Predicate<Health> done, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Health h = check.get();
        while (!done.test(h) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            h = check.get();
        }
        assertTrue(done.test(h), "state within " + seconds + " s: " + h);
        return h;
    }
}
