package io.facestream.embed.model.zoo;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facestream.core.files.FileTrees;
import io.facestream.core.json.Json;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Real photographs of faces for tests, benchmarks and examples, pulled like the models: the six group photographs in
 * {@code demo/} of the npm package {@code @vladmandic/face-api@1.7.15} (MIT licence; its README says the author took
 * them), fetched through the {@link NpmCache} (integrity checked) and unpacked once. Nothing is copied into the
 * repository. Derived from them, and written next to them on first use:
 * <ul>
 *   <li>three portraits ({@link Portrait}): crops around one face each, two of them the same woman in two different
 *       photographs ({@code sample1} and {@code sample3}), the third another woman;</li>
 *   <li>a crowd ({@link #crowd()}): the six photographs tiled 3 × 2 at a third of their size, 21 faces of 55–100 px.</li>
 * </ul>
 * {@code photos.json} beside them records the source package, its integrity, the licence, each file's sha256 and how
 * each derived image was made.
 */
public final class SamplePhotos {
    /** {@code @vladmandic/face-api@1.7.15}, MIT; {@code demo/sample1.jpg … sample6.jpg} are group photographs. */
    public static final NpmPackage PACKAGE = new NpmPackage(
            "@vladmandic/face-api",
            "1.7.15",
            "sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==");

    public static final String LICENCE = "MIT";
    public static final String PROVENANCE =
            "group photographs taken by the package's author, Vladimir Mandic (the package "
                    + "README: \"Photos shown below are taken by me\"), shipped under the package's MIT licence";
    /** The group photographs: 3, 3, 3, 4, 5 and 4 people, faces of 160–230 px in 1920-px-wide frames. */
    public static final List<String> GROUPS =
            List.of("sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg");
    /** Bump when a derived image changes, so caches made by older code are not reused. */
    private static final int DERIVED_VERSION = 1;

    private static final int JPEG_QUALITY = 95;
    private static final String CROWD = "crowd.jpg";

    /** One face cut out of a group photograph: the photograph and the crop rectangle in its pixels. */
    public enum Portrait {
        /** The woman on the right of {@code sample1.jpg}. */
        SAME_A("sample1.jpg", 1357, 10, 442, 622),
        /** The same woman as {@link #SAME_A}, in the middle of {@code sample3.jpg} (another day, other light). */
        SAME_B("sample3.jpg", 922, 0, 500, 840),
        /** Another woman, on the right of {@code sample6.jpg}. */
        OTHER("sample6.jpg", 1370, 10, 430, 790);

        private final String source;
        private final int x, y, width, height;

        Portrait(String source, int x, int y, int width, int height) {
            this.source = source;
            this.x = x;
            this.y = y;
            this.width = width;
            this.height = height;
        }

        public String source() {
            return source;
        }

        public String fileName() {
            return "portrait-" + name().toLowerCase().replace('_', '-') + ".jpg";
        }
    }

    private final Path photos;
    private final Path derived;

    private SamplePhotos(Path photos, Path derived) {
        this.photos = photos;
        this.derived = derived;
    }

    /** From the default npm cache ({@code npm/} in {@code paths.cache}). */
    public static SamplePhotos fetch() {
        return fetch(NpmCache.defaultCache());
    }

    /** Fetches and unpacks the package when needed (npm), and derives the portraits and the crowd once. */
    public static synchronized SamplePhotos fetch(NpmCache cache) {
        Path root = cache.dir().resolve("face-api-" + PACKAGE.version());
        Path photos = NpmAssets.unpack(cache, PACKAGE, "demo", root);
        for (String g : GROUPS) {
            if (!Files.isRegularFile(photos.resolve(g))) {
                throw new ModelException(PACKAGE.spec() + " has no demo/" + g + " (unpacked in " + photos + ")");
            }
        }
        SamplePhotos s = new SamplePhotos(photos, root.resolve("derived-v" + DERIVED_VERSION));
        s.derive();
        return s;
    }

    /** The folder of the unpacked group photographs. */
    public Path folder() {
        return photos;
    }

    public Path group(String name) {
        if (!GROUPS.contains(name)) {
            throw new IllegalArgumentException("no group photograph " + name + "; known: " + GROUPS);
        }
        return photos.resolve(name);
    }

    public List<Path> groups() {
        return GROUPS.stream().map(photos::resolve).toList();
    }

    public Path portrait(Portrait p) {
        return derived.resolve(p.fileName());
    }

    /** The six group photographs tiled 3 × 2 at a third of their size (640 px wide tiles) on grey: 21 faces. */
    public Path crowd() {
        return derived.resolve(CROWD);
    }

    private void derive() {
        if (Files.isRegularFile(derived.resolve("photos.json"))) {
            return;
        }
        ImageDecoder decoder = new ImageDecoder();
        try {
            Files.createDirectories(derived.getParent());
            if (Files.isDirectory(derived) && !Files.isRegularFile(derived.resolve("photos.json"))) {
                FileTrees.delete(derived); // not made by this code, which only moves complete folders in
            }
            Path tmp = Files.createTempDirectory(derived.getParent(), ".derive-");
            try {
                for (Portrait p : Portrait.values()) {
                    try (Mat img = decoder.read(photos.resolve(p.source));
                            Rect r = new Rect(p.x, p.y, p.width, p.height);
                            Mat roi = new Mat(img, r)) {
                        writeJpeg(roi, tmp.resolve(p.fileName()));
                    }
                }
                try (Mat crowd = tile(decoder)) {
                    writeJpeg(crowd, tmp.resolve(CROWD));
                }
                Files.writeString(tmp.resolve("photos.json"), manifest(tmp));
                try {
                    Files.move(tmp, derived, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    if (!Files.isRegularFile(derived.resolve("photos.json"))) {
                        throw e;
                    } // else another process derived the same files meanwhile; ours are discarded
                }
            } finally {
                FileTrees.delete(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot derive the sample portraits into " + derived, e);
        }
    }

    private Mat tile(ImageDecoder decoder) {
        int cols = 3, tileW = 640, tileH = 520;
        Mat canvas = new Mat(2 * tileH, cols * tileW, opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0));
        for (int i = 0; i < GROUPS.size(); i++) {
            try (Mat img = decoder.read(photos.resolve(GROUPS.get(i)));
                    Mat small = new Mat()) {
                int h = (int) Math.round(img.rows() * (double) tileW / img.cols());
                try (Size size = new Size(tileW, h)) {
                    resize(img, small, size, 0, 0, INTER_AREA);
                }
                int shown = Math.min(h, tileH);
                try (Rect from = new Rect(0, 0, tileW, shown);
                        Mat src = new Mat(small, from);
                        Rect to = new Rect((i % cols) * tileW, (i / cols) * tileH, tileW, shown);
                        Mat dst = new Mat(canvas, to)) {
                    src.copyTo(dst);
                }
            }
        }
        return canvas;
    }

    private static void writeJpeg(Mat img, Path file) throws IOException {
        try (BytePointer buf = new BytePointer();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, JPEG_QUALITY)) {
            if (!imencode(".jpg", img, buf, params)) {
                throw new IOException("cannot encode " + file.getFileName());
            }
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            Files.write(file, bytes);
        }
    }

    private String manifest(Path tmp) throws IOException {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("source", "npm " + PACKAGE.spec());
        m.put("integrity", PACKAGE.integrity());
        m.put("licence", LICENCE);
        m.put("provenance", PROVENANCE);
        ArrayNode files = m.putArray("files");
        for (String g : GROUPS) {
            files.addObject()
                    .put("file", photos.resolve(g).toString())
                    .put("from", "package/demo/" + g)
                    .put("sha256", Integrity.sha256(Files.readAllBytes(photos.resolve(g))));
        }
        for (Portrait p : Portrait.values()) {
            files.addObject()
                    .put("file", derived.resolve(p.fileName()).toString())
                    .put(
                            "from",
                            p.source + " crop x=" + p.x + " y=" + p.y + " w=" + p.width + " h=" + p.height
                                    + ", JPEG quality " + JPEG_QUALITY)
                    .put("sha256", Integrity.sha256(Files.readAllBytes(tmp.resolve(p.fileName()))));
        }
        files.addObject()
                .put("file", derived.resolve(CROWD).toString())
                .put(
                        "from",
                        "the six photographs resized to 640 px wide, tiled 3 x 2 in 640 x 520 cells, JPEG quality "
                                + JPEG_QUALITY)
                .put("sha256", Integrity.sha256(Files.readAllBytes(tmp.resolve(CROWD))));
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m);
    }

    /** Every portrait, in declaration order. */
    public List<Path> portraits() {
        List<Path> out = new ArrayList<>();
        for (Portrait p : Portrait.values()) {
            out.add(portrait(p));
        }
        return out;
    }
}
