package io.facestream.embed.pipeline;

import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.blazeface.BlazeFaceDetector;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.OnnxSessions;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Picks the wrapper for an installed model from its manifest, never from its name (as InsightFace's model zoo picks
 * by graph signature): an embedder manifest → {@link FaceEmbedder}; a detector with files pnet/rnet/onet → the MTCNN
 * cascade; a single-file detector → BlazeFace, which checks the graph has BlazeFace's anchor heads. Anything else is
 * refused with the reason.
 */
public final class ModelRouter {
    private final OnnxSessions sessions;
    private final FaceSettings settings;

    public ModelRouter(OnnxSessions sessions, FaceSettings settings) {
        this.sessions = sessions;
        this.settings = settings;
    }

    public FaceDetector detector(ModelStore.InstalledModel model) {
        ModelManifest m = model.manifest();
        if (m.kind() != ModelManifest.Kind.DETECTOR) {
            throw new ModelException(
                    "model " + m.id() + " is a " + m.kind().name().toLowerCase() + ", not a detector");
        }
        Set<String> roles =
                m.files().stream().map(ModelManifest.ModelFile::role).collect(Collectors.toSet());
        if (roles.containsAll(Set.of("pnet", "rnet", "onet"))) {
            return new MtcnnDetector(model, sessions, settings.mtcnn());
        }
        if (roles.equals(Set.of("main"))) {
            FaceSettings.BlazeFace b = settings.blazeFace();
            return new BlazeFaceDetector(
                    model, sessions, b.minScore(), b.iouThreshold(), b.maxFaces(), b.tile(), b.tileOverlap());
        }
        throw new ModelException("detector " + m.id() + " has files with roles " + roles
                + "; supported: an MTCNN cascade (pnet, rnet, onet) or a single-file BlazeFace (main)");
    }

    public FaceEmbedder embedder(ModelStore.InstalledModel model) {
        ModelManifest m = model.manifest();
        if (m.kind() != ModelManifest.Kind.EMBEDDER) {
            throw new ModelException(
                    "model " + m.id() + " is a " + m.kind().name().toLowerCase() + ", not an embedder");
        }
        return new FaceEmbedder(model, sessions, settings.batchSize());
    }
}
