package io.facestream.core.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** {@link FrameReader} on a record as a plain Kafka producer writes it to the real broker (no facestream code). */
@KafkaBroker
class FrameReaderBrokerTest {

    @Test
    void aPlainProducersRecordIsAValidFrameOnTheRealBroker(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        byte[] jpeg = jpeg();
        long timestamp = 1_700_000_123_456L;
        // a plain producer: no facestream code, no headers, defaults everywhere except the serializers
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        RecordMetadata meta;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            meta = producer.send(new ProducerRecord<>(TopicCatalog.FRAMES, null, timestamp, "plain-cam", jpeg))
                    .get();
        }
        ConsumerRecord<String, byte[]> record =
                fetch(bootstrap, new TopicPartition(TopicCatalog.FRAMES, meta.partition()), meta.offset());

        Frame frame = FrameReader.read(record);
        assertEquals(CameraId.of("plain-cam"), frame.camera());
        assertEquals(meta.offset(), frame.seq(), "without fs.seq the sequence is the offset");
        assertEquals(
                timestamp * 1000,
                frame.captureMicros(),
                "without fs.capture-ts the capture time is the record timestamp");
        assertArrayEquals(jpeg, frame.image());
        assertNull(frame.facesJson());
        assertEquals(
                16,
                ImageIO.read(new java.io.ByteArrayInputStream(frame.image())).getWidth(),
                "the JPEG decodes");
    }

    private static ConsumerRecord<String, byte[]> fetch(String bootstrap, TopicPartition tp, long offset) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            c.assign(List.of(tp));
            c.seek(tp, offset);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("record " + tp + "@" + offset + " not read back");
    }

    private static byte[] jpeg() throws Exception {
        BufferedImage img = new BufferedImage(16, 12, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(3, 3, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
