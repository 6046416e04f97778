package io.facestream.match.rollout;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** A model installed under a test's own name and version, and galleries whose media have real stored crops. */
final class RolloutFixtures {
    private RolloutFixtures() {
    }

    /** One medium per subject: a smooth random colour field as its stored crop, embedded with the old version. */
    static void enrol(Gallery gallery, String name, int subjects, FaceEmbedder embedder, ModelVersion model,
                              long seed) {
        gallery.createGallery(name, GalleryKind.SINGLE, Map.of());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int s = 0; s < subjects; s++) {
            String id = "p" + s;
            gallery.enrol(new Subject(name, id, "", Map.of()));
            try (Mat crop = blobs(rnd, embedder.inputWidth(), embedder.inputHeight())) {
                float[] raw = embedder.embed(crop).raw();
                gallery.addMedium(new Medium(name, id, "m0", List.of(new Embedding(model, raw)), List.of(png(crop)),
                        Map.of(), System.currentTimeMillis() * 1000));
            }
        }
    }

    static Mat blobs(SplittableRandom rnd, int width, int height) {
        try (Mat small = new Mat(6, 6, CV_8UC3)) {
            try (UByteIndexer ix = small.createIndexer()) {
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 6; x++) {
                        for (int c = 0; c < 3; c++) {
                            ix.put(y, x, c, 30 + rnd.nextInt(200));
                        }
                    }
                }
            }
            Mat out = new Mat();
            resize(small, out, new Size(width, height), 0, 0, INTER_CUBIC);
            return out;
        }
    }

    static byte[] png(Mat image) {
        try (BytePointer buf = new BytePointer()) {
            if (!imencode(".png", image, buf)) {
                throw new IllegalStateException("cannot encode a crop");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** {@code from}'s files installed into {@code to} as {@code name:version}. */
    static ModelStore.InstalledModel install(ModelStore.InstalledModel from, ModelStore to, String name, String version) {
        ModelManifest m = from.manifest();
        ModelManifest target = new ModelManifest(name, version, m.kind(), m.files(), m.input(), m.embedding(), m.source(),
                m.licence(), m.notes());
        Map<String, Path> files = new HashMap<>();
        m.files().forEach(f -> files.put(f.role(), from.dir().resolve(f.file())));
        return to.install(target, files);
    }
}
