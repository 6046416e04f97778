package io.facestream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.Integration;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker of its own (not the shared one): restart on the same data directory must keep topics and records. */
@Integration
class EmbeddedKafkaTest {

    @Test
    void restartOnSameDataKeepsTopicsAndRecords(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            try (var producer =
                    new KafkaProducer<String, byte[]>(KafkaClients.producer(kafka.bootstrapServers(), "t"))) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(TopicCatalog.FEEDBACK, "k" + i, new byte[] {(byte) i}))
                            .get();
                }
            }
        }
        try (EmbeddedKafka again = EmbeddedKafka.start(dir, 0)) {
            List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
            try (var consumer =
                    new KafkaConsumer<String, byte[]>(KafkaClients.consumer(again.bootstrapServers(), "g"))) {
                consumer.subscribe(List.of(TopicCatalog.FEEDBACK));
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < 3 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                }
            }
            assertEquals(
                    List.of("k0", "k1", "k2"),
                    got.stream().map(ConsumerRecord::key).toList());
        }
    }
}
