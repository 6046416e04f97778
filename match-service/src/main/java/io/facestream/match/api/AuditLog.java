package io.facestream.match.api;

import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who searched, enrolled or deleted what, and when: one JSON object per line, appended and flushed before the
 * response is sent, so an action without its audit line cannot happen.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.facestream.audit");
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of the audit log " + file, e);
        }
    }

    public synchronized void record(String who, String action, Map<String, ?> details) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts_us", System.currentTimeMillis() * 1000);
        line.put("by", who);
        line.put("action", action);
        line.putAll(details);
        try {
            String json = Json.mapper().writeValueAsString(line);
            Files.writeString(file, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            LOG.info(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file, e);
        }
    }

    public Path file() {
        return file;
    }
}
