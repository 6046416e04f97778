package io.facestream.match.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.embed.model.zoo.NpmAssets;
import io.facestream.embed.model.zoo.NpmCache;
import io.facestream.embed.model.zoo.NpmPackage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document passes Redocly's linter (its built-in "recommended" rules: structure, an operationId and a 4xx
 * response on every operation, ...) with no error, and every operation has an operationId and typed schemas. The
 * linter is the pinned {@code @redocly/cli} package (a self-contained bundle), pulled through the project's npm cache
 * like the models and run with Node.js (which the npm needed for the models comes with).
 */
class OpenApiLintTest {
    static final NpmPackage REDOCLY_CLI = new NpmPackage(
            "@redocly/cli",
            "2.77.0",
            "sha512-XUa4hURDWLPG9WukIXo+UBqa9VpeTndmLI5PHu9QDkwtwH990Jsgz9nl2m1pZjsWrKFPP7avn6etRxxDbuD2Bg==");
    /** The one warning left: OpenAPI has no 2xx for a WebSocket upgrade, which answers 101. */
    private static final List<String> ACCEPTED_WARNINGS =
            List.of("operation-2xx-response #/paths/~1api~1live~1ws/get/responses");

    @TempDir
    Path dir;

    static String document() throws IOException {
        try (InputStream in = OpenApiLintTest.class.getClassLoader().getResourceAsStream("api/openapi.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void redoclyLintFindsNoError() throws Exception {
        NpmCache cache = NpmCache.defaultCache();
        Path cli = NpmAssets.unpack(
                        cache,
                        REDOCLY_CLI,
                        "",
                        cache.dir().resolve("unpacked").resolve("redocly-cli-" + REDOCLY_CLI.version()))
                .resolve("bin")
                .resolve("cli.js");
        Path doc = Files.writeString(dir.resolve("openapi.yaml"), document());
        ProcessBuilder pb = new ProcessBuilder("node", cli.toString(), "lint", "--format=json", doc.toString())
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("REDOCLY_TELEMETRY", "off");
        pb.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        pb.environment().put("NO_COLOR", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "the OpenAPI lint needs Node.js >= 20.19 on the PATH ('node'; npm, which the models are "
                            + "pulled with, comes with it): " + e.getMessage(),
                    e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "redocly lint did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        JsonNode report;
        try {
            report = Json.mapper().readTree(text.substring(Math.max(0, text.indexOf('{'))));
        } catch (IOException e) {
            throw new AssertionError(
                    "redocly lint (exit " + p.exitValue() + ") printed no JSON report: " + text + "\n"
                            + Files.readString(dir.resolve("stderr.txt")),
                    e);
        }
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (JsonNode problem : report.path("problems")) {
            String where = problem.path("ruleId").asText() + " "
                    + problem.path("location").path(0).path("pointer").asText();
            (problem.path("severity").asText().equals("error") ? errors : warnings)
                    .add(where + ": " + problem.path("message").asText());
        }
        assertEquals(List.of(), errors, "redocly lint errors");
        assertEquals(
                0,
                report.path("totals").path("errors").asInt(),
                report.path("totals").toString());
        assertEquals(
                ACCEPTED_WARNINGS,
                warnings.stream().map(w -> w.substring(0, w.indexOf(':'))).toList(),
                "redocly lint warnings: " + warnings);
        assertEquals(0, p.exitValue(), "redocly lint exit status");
    }

    @Test
    void everyOperationHasAnOperationIdAndTypedSchemas() throws Exception {
        JsonNode doc = Json.yaml().readTree(document());
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (op.getKey().equals("parameters")) {
                    continue;
                }
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                if (!op.getValue().path("operationId").isTextual()) {
                    problems.add(name + ": no operationId");
                }
                if (!op.getValue().has("x-facestream-role")) {
                    problems.add(name + ": no x-facestream-role");
                }
                JsonNode body = op.getValue().path("requestBody").path("content");
                body.fields()
                        .forEachRemaining(c ->
                                typed(doc, c.getValue().path("schema"), name + " request " + c.getKey(), problems));
                op.getValue().path("responses").fields().forEachRemaining(r -> {
                    JsonNode response = resolve(doc, r.getValue());
                    if (r.getKey().matches("[2-5]\\d\\d")
                            && !r.getKey().equals("204")
                            && !r.getKey().equals("101")) {
                        if (!response.has("content")) {
                            problems.add(name + " " + r.getKey() + ": no content");
                        }
                        response.path("content")
                                .fields()
                                .forEachRemaining(c -> typed(
                                        doc,
                                        c.getValue().path("schema"),
                                        name + " " + r.getKey() + " " + c.getKey(),
                                        problems));
                    }
                });
                boolean hasClientError = false;
                for (Iterator<String> codes = op.getValue().path("responses").fieldNames(); codes.hasNext(); ) {
                    hasClientError |= codes.next().startsWith("4");
                }
                if (!hasClientError) {
                    problems.add(name + ": no 4xx response");
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        while (node.has("$ref")) {
            node = doc.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    private static void typed(JsonNode doc, JsonNode schema, String where, List<String> problems) {
        JsonNode s = resolve(doc, schema);
        if (s.isMissingNode() || !(s.has("type") || s.has("allOf") || s.has("oneOf") || s.has("anyOf"))) {
            problems.add(where + ": no typed schema");
        }
    }
}
