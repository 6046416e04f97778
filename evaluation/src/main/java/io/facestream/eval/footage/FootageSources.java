package io.facestream.eval.footage;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.eval.ijbs.FeatureSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the footage feature sources with what they need (embedder, broker) and closes it afterwards. The embedder
 * is {@code face.embedder} of the config, installed from the model zoo on first use.
 */
public final class FootageSources {
    /** Default JPEG quality of replayed frames: high, so the modes differ only by near-invisible re-encoding. */
    public static final int REPLAY_JPEG_QUALITY = 95;

    private FootageSources() {}

    /** A source plus what must be closed after it (in reverse order). */
    public record Opened(FeatureSource source, List<AutoCloseable> resources) implements AutoCloseable {
        @Override
        public void close() {
            RuntimeException first = null;
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    if (first == null) {
                        first = new IllegalStateException(
                                "cannot close " + resources.get(i) + ": " + e.getMessage(), e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    public static Opened offline(Footage footage, FacestreamConfig config) {
        FaceSettings face = FaceSettings.from(config);
        ModelStore.InstalledModel model = ModelZoo.resolve(ModelZoo.store(config), face.embedder());
        FaceEmbedder embedder =
                new ModelRouter(new OnnxSessions(face.device(), face.intraOpThreads()), face).embedder(model);
        return new Opened(new OfflineFootageSource(footage, embedder), List.of(embedder));
    }

    /**
     * @param bootstrap a running broker, or null for a temporary in-process one (deleted on close)
     */
    public static Opened streaming(Footage footage, FacestreamConfig config, String bootstrap, int jpegQuality) {
        FaceSettings face = FaceSettings.from(config);
        int dim = ModelZoo.resolve(ModelZoo.store(config), face.embedder())
                .manifest()
                .embedding()
                .size();
        List<AutoCloseable> resources = new ArrayList<>();
        String address = bootstrap;
        if (address == null) {
            EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
            resources.add(kafka);
            address = kafka.bootstrapServers();
        }
        return new Opened(new StreamingFootageSource(footage, address, config, dim, jpegQuality), resources);
    }
}
