package io.facestream.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.process.ChildJvm;
import io.facestream.core.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logging.format in a real process (a child JVM with the tests' Log4j configuration, a console appender): with json
 * every line it writes is a JSON object with the ids of {@link LogContext} as top-level fields; with text, none is.
 */
@Integration
class LogFormatTest {

    @Test
    void jsonLinesCarryTheIdsOfTheLogContextAsFields(@TempDir Path dir) throws Exception {
        List<String> lines = run(dir, "json");
        List<JsonNode> events = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            events.add(json.readTree(line)); // every line is one JSON object
        }
        assertEquals(3, events.size(), String.join("\n", lines));
        JsonNode decided = events.get(0);
        assertEquals("decided track 7", decided.get("message").asText());
        assertEquals("INFO", decided.get("level").asText());
        assertEquals(JsonLogChild.class.getName(), decided.get("logger").asText());
        assertEquals("door-1", decided.get("camera").asText());
        assertEquals("7", decided.get("track").asText());
        assertEquals("door-1/7/FINAL", decided.get("match").asText());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", decided.get("trace_id").asText());
        assertTrue(decided.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));

        JsonNode dlq = events.get(1);
        assertEquals("door-2", dlq.get("camera").asText());
        assertFalse(dlq.has("trace_id") || dlq.has("track"), "a key set to null is left out: " + dlq);
        assertEquals(
                IllegalStateException.class.getName(), dlq.get("error_type").asText());
        assertEquals("bad bytes", dlq.get("error_message").asText());
        assertTrue(dlq.get("stack_trace").asText().contains("JsonLogChild.main"), dlq.toString());

        JsonNode after = events.get(2);
        assertFalse(after.has("camera") || after.has("trace_id"), "nothing leaks past the scope: " + after);
    }

    @Test
    void textStaysThePatternOfTheConfiguration(@TempDir Path dir) throws Exception {
        List<String> lines = run(dir, "text");
        assertTrue(lines.size() >= 3, String.join("\n", lines));
        assertTrue(lines.get(0).contains("decided track 7") && !lines.get(0).startsWith("{"), lines.get(0));
    }

    @Test
    void anUnknownFormatIsAnErrorThatSaysWhatToSet() {
        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag("logging.format", "xml")
                .build();
        ConfigException e = assertThrows(ConfigException.class, () -> LogFormat.of(config));
        assertTrue(
                e.getMessage().contains("logging.format") && e.getMessage().contains("text or json"), e.getMessage());
        assertEquals(
                LogFormat.TEXT,
                LogFormat.of(FacestreamConfig.builder().isolated().build()));
        assertEquals(
                LogFormat.JSON,
                LogFormat.of(FacestreamConfig.builder()
                        .isolated()
                        .env(Map.of("FACESTREAM_LOGGING_FORMAT", "JSON"))
                        .build()));
    }

    /** The child's log lines, without the stack trace lines of the text format. */
    private static List<String> run(Path dir, String format) throws Exception {
        Path log = dir.resolve("child.log");
        Process p = ChildJvm.start(
                dir, log, JsonLogChild.class.getName(), List.of("-Xmx256m"), List.of("logging.format=" + format));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child finished");
        List<String> all = Files.readAllLines(log);
        assertEquals(0, p.exitValue(), String.join("\n", all));
        return all.stream()
                .filter(l -> !l.isBlank() && !l.startsWith("\t") && !l.startsWith("java.lang.IllegalStateException"))
                .filter(l -> !l.startsWith("WARNING")) // the JVM's own notices
                .toList();
    }
}
