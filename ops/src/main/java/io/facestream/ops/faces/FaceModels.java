package io.facestream.ops.faces;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Opens the configured face models for a CLI command: zoo models are pulled on first use, user models must be installed. */
final class FaceModels {
    private FaceModels() {}

    /** {@code --detector blazeface} is the 256 px model, the one meant for faces at a distance. */
    static String detectorName(String flag) {
        return flag == null ? null : flag.equals("blazeface") ? "blazeface-back" : flag;
    }

    static Map<String, Object> flags(String detector, String device, Integer threads) {
        Map<String, Object> flags = new HashMap<>();
        if (detector != null) {
            flags.put("face.detector", detectorName(detector));
        }
        if (device != null) {
            flags.put("face.device", device);
        }
        if (threads != null) {
            flags.put("face.intra-op-threads", threads);
        }
        return flags;
    }

    static Function<String, ModelStore.InstalledModel> resolver(FacestreamConfig config) {
        ModelStore store = ModelZoo.store(config);
        return spec -> ModelZoo.resolve(store, spec);
    }

    static FaceDetector detector(FacestreamConfig config) {
        FaceSettings settings = FaceSettings.from(config);
        ModelRouter router = new ModelRouter(new OnnxSessions(settings.device(), settings.intraOpThreads()), settings);
        return router.detector(resolver(config).apply(settings.detector()));
    }

    static FacePipeline pipeline(FacestreamConfig config) {
        return FacePipeline.open(FaceSettings.from(config), resolver(config));
    }

    static ImageDecoder decoder(FacestreamConfig config) {
        return new ImageDecoder(FaceSettings.from(config).maxImagePixels());
    }
}
