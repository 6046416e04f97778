package io.facestream.gallery;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.replication.ReplicaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** Test data: a private compacted gallery topic per test, and clustered raw features like a face model's. */
final class Fixtures {
    static final ModelVersion ADAFACE = new ModelVersion("adaface-ir18", "1.0");
    static final ModelVersion ADAFACE_2 = new ModelVersion("adaface-ir18", "2.0");
    static final int DIM = 64;

    private Fixtures() {}

    /** A fresh one-partition compacted topic, so tests never see each other's galleries. */
    static String newTopic(String bootstrap) throws Exception {
        String name = "test.gallery." + UUID.randomUUID();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1)
                            .configs(Map.of(
                                    "cleanup.policy", "compact", "max.message.bytes", Integer.toString(16 << 20)))))
                    .all()
                    .get();
        }
        return name;
    }

    /** A one-partition topic with the given configs. */
    static void newTopic(String bootstrap, String name, Map<String, String> configs) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
    }

    static GallerySettings settings(Path dir, String topic) {
        GallerySettings s = GallerySettings.at(dir);
        return s.withReplica(new ReplicaSettings(topic, Duration.ofMillis(200), 50, Duration.ofMillis(50)));
    }

    /** A raw feature near an identity's centre, with a norm between 10 and 30 like real face features. */
    static float[] feature(long identity, Random noise, double spread) {
        Random c = new Random(identity * 7919L + 13);
        float[] v = new float[DIM];
        double norm = 10 + 20 * noise.nextDouble();
        double sq = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (c.nextGaussian() + spread * noise.nextGaussian());
            sq += v[i] * v[i];
        }
        double scale = norm / Math.sqrt(sq);
        for (int i = 0; i < DIM; i++) {
            v[i] *= (float) scale;
        }
        return v;
    }

    static Medium medium(String gallery, String subject, String media, float[] raw, byte[]... crops) {
        return new Medium(
                gallery,
                subject,
                media,
                List.of(new Embedding(ADAFACE, raw)),
                List.of(crops),
                Map.of("camera", "cam-1"),
                1_700_000_000_000_000L);
    }

    static byte[] jpeg(int seed) {
        // not decoded by the gallery; any bytes stand for a crop, distinct per seed
        byte[] b = new byte[64];
        new Random(seed).nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        return b;
    }
}
