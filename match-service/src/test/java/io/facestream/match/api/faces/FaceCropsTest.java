package io.facestream.match.api.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The page's face crops against a real broker: read ahead as decisions arrive, read concurrently and each once,
 * bounded in memory, and dropped once the feed no longer shows their face.
 */
@KafkaBroker
class FaceCropsTest {
    @Test
    void cropsAreReadAheadConcurrentlyOnceAndForgottenWithTheirDecision(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Map<String, byte[]> crops = new LinkedHashMap<>(); // faces/<p>/<o> -> the crop written there
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.producer(bootstrap, "crops-test"))) {
            for (int i = 0; i < 60; i++) {
                byte[] jpeg = new byte[2_000 + i];
                new java.util.Random(i).nextBytes(jpeg);
                FaceObservation o = FaceObservation.newBuilder()
                        .setCameraId("cam-" + (i % 4))
                        .setFrameSeq(i)
                        .setAlignedCropJpeg(ByteString.copyFrom(jpeg))
                        .build();
                RecordMetadata md = p.send(new ProducerRecord<>(TopicCatalog.FACES, o.getCameraId(), o.toByteArray()))
                        .get();
                crops.put("faces/" + md.partition() + "/" + md.offset(), jpeg);
            }
        }
        List<String> refs = new ArrayList<>(crops.keySet());
        Set<String> shown = ConcurrentHashMap.newKeySet();
        shown.addAll(refs);

        try (FaceCrops faces = new FaceCrops(KafkaConnection.of(bootstrap), 3, 100, shown::contains)) {
            // 50 distinct crops asked for by 10 requests at a time: every answer right, each crop read from the topic
            // once
            ExecutorService pool = Executors.newFixedThreadPool(10);
            long t0 = System.nanoTime();
            List<Future<byte[]>> answers = new ArrayList<>();
            for (String ref : refs.subList(0, 50)) {
                answers.add(pool.submit(() -> crop(faces, ref)));
            }
            for (int i = 0; i < 50; i++) {
                assertArrayEquals(crops.get(refs.get(i)), answers.get(i).get(), refs.get(i));
            }
            pool.shutdown();
            System.out.printf(
                    "50 crops read from the topic by 3 readers in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertEquals(50, faces.hitsAndReads()[1], "each crop read once");

            // asked again: all from memory
            for (String ref : refs.subList(0, 50)) {
                assertArrayEquals(crops.get(ref), crop(faces, ref));
            }
            assertEquals(50, faces.hitsAndReads()[0], "served from memory the second time");
            assertEquals(50, faces.hitsAndReads()[1]);

            // read ahead: a decision's face arrives, the crop is in memory before the page asks
            String ahead = refs.get(55);
            faces.prefetch(ahead);
            long until = System.nanoTime() + 10_000_000_000L;
            while (faces.hitsAndReads()[1] < 51 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(51, faces.hitsAndReads()[1], "the prefetch read it");
            assertArrayEquals(crops.get(ahead), crop(faces, ahead));
            assertEquals(51, faces.hitsAndReads()[1], "the page's request was served from memory");
            faces.prefetch(ahead);
            Thread.sleep(200);
            assertEquals(51, faces.hitsAndReads()[1], "a cached crop is not read ahead again");

            // a face the feed no longer shows (decision gone, subject erased) leaves memory at the next sweep
            String erased = refs.get(0);
            shown.remove(erased);
            faces.sweep();
            crop(faces, erased);
            assertEquals(52, faces.hitsAndReads()[1], "after the sweep it had to be read again");

            // one crop asked for by 10 requests at once: one read, the others wait for it
            String popular = refs.get(57);
            ExecutorService ten = Executors.newFixedThreadPool(10);
            List<Future<byte[]>> same = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                same.add(ten.submit(() -> crop(faces, popular)));
            }
            for (Future<byte[]> f : same) {
                assertArrayEquals(crops.get(popular), f.get());
            }
            ten.shutdown();
            assertEquals(53, faces.hitsAndReads()[1], "the same crop read once for 10 requests at once");

            // no record at that offset: empty (the route answers 404)
            assertTrue(faces.crop(0, Long.MAX_VALUE - 1).isEmpty());
        }

        try (FaceCrops small = new FaceCrops(KafkaConnection.of(bootstrap), 1, 10, shown::contains)) {
            for (String ref : refs.subList(10, 30)) {
                crop(small, ref);
            }
            for (String ref : refs.subList(20, 30)) { // the ten newest stayed
                crop(small, ref);
            }
            assertEquals(20, small.hitsAndReads()[1]);
            crop(small, refs.get(10)); // the oldest was evicted
            assertEquals(21, small.hitsAndReads()[1], "at most 10 crops in memory, least recently used out first");
        }
    }

    private static byte[] crop(FaceCrops faces, String ref) {
        String[] p = ref.split("/");
        return faces.crop(Integer.parseInt(p[1]), Long.parseLong(p[2]))
                .orElseThrow()
                .jpeg();
    }
}
