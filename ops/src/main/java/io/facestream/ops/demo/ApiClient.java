package io.facestream.ops.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.ops.cli.CommandFailed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The few match-service API calls the demo makes, over HTTP like any client, so the demo gallery goes through the
 * same enrolment, search and threshold code as an operator's uploads.
 */
public final class ApiClient {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String key;

    public ApiClient(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    public JsonNode json(String method, String path, Object body) {
        try {
            byte[] bytes = body == null ? null : Json.mapper().writeValueAsBytes(body);
            return send(method, path, "application/json", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A multipart POST: text fields, then each file under its field name. */
    public JsonNode upload(String path, Map<String, String> fields, String fileField, List<Path> files) {
        String boundary = "facestream-demo-" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> write(
                out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n"));
        for (Path f : files) {
            write(
                    out,
                    "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                            + f.getFileName() + "\"\r\nContent-Type: image/jpeg\r\n\r\n");
            try {
                out.writeBytes(Files.readAllBytes(f));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            write(out, "\r\n");
        }
        write(out, "--" + boundary + "--\r\n");
        return send("POST", path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    private JsonNode send(String method, String path, String contentType, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new CommandFailed(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty()
                    ? Json.mapper().createObjectNode()
                    : Json.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed(method + " " + path + " interrupted", e);
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
