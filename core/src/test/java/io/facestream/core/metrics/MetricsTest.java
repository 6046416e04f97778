package io.facestream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.micrometer.core.instrument.Counter;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void theJvmAndProcessMetersAreThereWithoutAsking() {
        String scrape = Metrics.scrape();
        for (String name : new String[] {
            "jvm_memory_used_bytes",
            "jvm_gc_memory_allocated_bytes_total",
            "jvm_threads_live_threads",
            "jvm_classes_loaded_classes",
            "system_cpu_count",
            "process_uptime_seconds",
            "process_files_open_files"
        }) {
            assertTrue(scrape.contains("\n" + name), name);
        }
    }

    @Test
    void aBoundKafkaClientsMetersLeaveWithIt() throws Exception {
        // no broker needed: a client has its metrics from construction; it connects only when used
        String id = "metrics-test-consumer";
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.with(
                        KafkaClients.consumer("127.0.0.1:1", null), Map.of(ConsumerConfig.CLIENT_ID_CONFIG, id)));
                var producer = new KafkaProducer<String, byte[]>(KafkaClients.with(
                        KafkaClients.producer("127.0.0.1:1", "metrics-test-producer"),
                        Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000)))) {
            AutoCloseable c = Metrics.bind(consumer);
            AutoCloseable p = Metrics.bind(producer);
            assertNotNull(Metrics.registry()
                    .find("kafka.consumer.connection.count")
                    .tag("client.id", id)
                    .gauge());
            assertFalse(Metrics.registry()
                    .find("kafka.producer.record.send.total")
                    .meters()
                    .isEmpty());
            c.close();
            p.close();
            assertNull(Metrics.registry()
                    .find("kafka.consumer.connection.count")
                    .tag("client.id", id)
                    .gauge());
        }
    }

    @Test
    void deadLettersAreCountedByStageAndAReasonCodeNeverByText() {
        DeadLetterMeter.count("embed", "invalid-frame");
        DeadLetterMeter.count("embed", "invalid-frame");
        DeadLetterMeter.count("embed", "frame cam/7: capture time 2026-01-01T00:00:00Z is 2h ahead");
        assertEquals(2, counter("embed", "invalid-frame").count(), 0);
        assertTrue(
                counter("embed", BoundedTag.INVALID).count() >= 1,
                "free text becomes 'invalid', not a series of its own");
        assertFalse(Metrics.scrape().contains("capture time"));
    }

    private static Counter counter(String stage, String reason) {
        return Metrics.registry()
                .get("facestream.dlq.records")
                .tag("stage", stage)
                .tag("reason", reason)
                .counter();
    }
}
