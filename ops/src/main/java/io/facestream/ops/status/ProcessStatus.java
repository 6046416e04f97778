package io.facestream.ops.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.ops.report.Table;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The readiness of one facestream process, asked on its management port ({@code GET /health/ready}). */
public record ProcessStatus(String address, boolean ready, String status, String components) {

    public static ProcessStatus probe(String hostPort, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + hostPort + "/health/ready"))
                            .timeout(timeout)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = Json.mapper().readTree(r.body());
            List<String> parts = new ArrayList<>();
            JsonNode comps = body.path("components");
            for (Iterator<Map.Entry<String, JsonNode>> it = comps.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                parts.add(e.getKey() + " " + e.getValue().path("status").asText("?"));
            }
            return new ProcessStatus(
                    hostPort,
                    r.statusCode() == 200,
                    body.path("status").asText(Integer.toString(r.statusCode())),
                    String.join(", ", parts));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProcessStatus(hostPort, false, "interrupted", "");
        } catch (Exception e) {
            return new ProcessStatus(
                    hostPort,
                    false,
                    "no answer",
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    public static Table table(List<ProcessStatus> processes) {
        Table t = new Table(
                "processes (GET /health/ready on their management ports)", "address", "ready", "status", "components");
        processes.forEach(p -> t.row(p.address(), p.ready() ? "yes" : "NO", p.status(), p.components()));
        return t.note("asked", processes.size());
    }
}
