package io.facestream.embed.service;

import io.facestream.core.events.ModelRef;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;

/** The embedder in use, its identity as written into every observation, and its quality gate. */
record ActiveModel(FaceEmbedder embedder, ModelRef ref, QualityGate quality) implements AutoCloseable {

    static ActiveModel of(FaceEmbedder embedder, double qualityOverride) {
        ModelManifest m = embedder.manifest();
        return new ActiveModel(
                embedder,
                ModelRef.newBuilder().setName(m.name()).setVersion(m.version()).build(),
                QualityGate.of(m, qualityOverride));
    }

    String id() {
        return ref.getName() + "@" + ref.getVersion();
    }

    @Override
    public void close() {
        embedder.close();
    }
}
