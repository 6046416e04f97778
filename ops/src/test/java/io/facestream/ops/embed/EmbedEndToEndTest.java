package io.facestream.ops.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.detect.Box;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.pipeline.Face;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.service.EmbedService;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video file → ingest → Kafka → embed → faces topic, through the real commands and models: real photographs move
 * across a background in an H.264 file whose ground truth is known; every observation must sit on a true face and
 * the same person must look alike across frames.
 */
@KafkaBroker
class EmbedEndToEndTest {

    @Test
    void facesOfAVideoOfRealPhotographsMatchTheGroundTruth(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();

        String camera = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("kafka.bootstrap", bootstrap)
                .flag("models.dir", ModelZoo.defaultStore().root().toString())
                .flag("embed.service.group-id", "e2e-" + camera)
                .flag("embed.service.instance-id", camera)
                .flag("embed.service.mode", "complete")
                .build();

        // ground truth: each photo's own face box, found once on the photo alone
        List<FootageOfPhotos.Actor> actors = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        try (FacePipeline pipeline =
                FacePipeline.open(FaceSettings.from(config), n -> ModelZoo.ensure(ModelZoo.defaultStore(), n))) {
            for (SamplePhotos.Portrait p : List.of(SamplePhotos.Portrait.SAME_A, SamplePhotos.Portrait.OTHER)) {
                String name = p.name();
                Mat photo = decoder.read(photos.portrait(p));
                Face face = pipeline.largest(photo).orElseThrow();
                actors.add(
                        new FootageOfPhotos.Actor(name, photo, face.detection().box(), 0.35));
                face.close();
            }
        }
        Path video = dir.resolve("walk.mp4");
        int frames = 24;
        List<FootageOfPhotos.Truth> truth = FootageOfPhotos.write(video, actors, frames, 640, 480, 12);

        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        // a fresh group that sees only this test's frames
        ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            assertEquals(
                    0,
                    FacestreamCli.run(
                            "ingest",
                            "--bootstrap",
                            bootstrap,
                            "--management-port",
                            "0",
                            "--camera",
                            camera + "=" + video + ";fps=0",
                            "--fast",
                            "--once"));
            List<FaceObservation> faces = read(bootstrap, camera, truth.size(), Duration.ofSeconds(120));

            Map<String, List<Embedding>> byActor = new HashMap<>();
            int matched = 0;
            for (FootageOfPhotos.Truth t : truth) {
                FaceObservation best = null;
                double bestIou = 0;
                for (FaceObservation o : faces) {
                    if (o.getFrameSeq() != t.frame()) {
                        continue;
                    }
                    Box b = new Box(
                            o.getBox().getX(),
                            o.getBox().getY(),
                            o.getBox().getWidth(),
                            o.getBox().getHeight());
                    double iou = FootageOfPhotos.iou(b, t.box());
                    if (iou > bestIou) {
                        bestIou = iou;
                        best = o;
                    }
                }
                if (best != null && bestIou >= 0.5) {
                    matched++;
                    float[] raw = new float[best.getEmbeddingCount()];
                    for (int i = 0; i < raw.length; i++) {
                        raw[i] = best.getEmbedding(i);
                    }
                    byActor.computeIfAbsent(t.actor(), k -> new ArrayList<>()).add(Embedding.of(raw));
                }
            }
            assertTrue(
                    matched >= truth.size() * 0.9, "faces matched with IoU >= 0.5: " + matched + " of " + truth.size());
            assertTrue(
                    faces.size() <= truth.size() + frames / 4,
                    "few spurious detections: " + faces.size() + " for " + truth.size());

            List<Embedding> a = byActor.get("SAME_A");
            List<Embedding> b = byActor.get("OTHER");
            double same = (meanCosine(a, a) + meanCosine(b, b)) / 2;
            double different = meanCosine(a, b);
            assertTrue(same > 0.8, "the same person across frames: mean cosine " + same);
            assertTrue(same > different + 0.2, "same " + same + " vs different " + different);
        }
    }

    private static double meanCosine(List<Embedding> x, List<Embedding> y) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < x.size(); i++) {
            for (int j = 0; j < y.size(); j++) {
                if (x != y || i != j) {
                    sum += x.get(i).cosine(y.get(j));
                    n++;
                }
            }
        }
        return sum / n;
    }

    static List<FaceObservation> read(String bootstrap, String camera, int atLeast, Duration timeout) throws Exception {
        List<FaceObservation> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, byte[]>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.FACES).stream()
                    .map(p -> new TopicPartition(TopicCatalog.FACES, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() < deadline) {
                boolean any = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (camera.equals(r.key())) {
                        FaceObservation o = FaceObservation.parseFrom(r.value());
                        if (!o.hasProgress()) { // progress records carry no face
                            out.add(o);
                            any = true;
                        }
                    }
                }
                if (any) {
                    quietSince = System.currentTimeMillis();
                } else if (out.size() >= atLeast && System.currentTimeMillis() - quietSince > 3000) {
                    break;
                }
            }
        }
        return out;
    }
}
