package io.facestream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FacestreamConfigTest {

    @Test
    void layersApplyInOrderDefaultsFileEnvFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f.yaml");
        Files.writeString(
                file, "kafka:\n  port: 19092\n  data-dir: /from/file\ntopics:\n  frames:\n    partitions: 8\n");
        FacestreamConfig c = FacestreamConfig.builder()
                .file(file)
                .env(Map.of("FACESTREAM_KAFKA_DATA_DIR", "/from/env", "FACESTREAM_TOPICS_FRAMES_PARTITIONS", "6"))
                .flag("topics.frames.partitions", 2)
                .build();
        assertEquals(19092, c.getInt("kafka.port"));
        assertEquals(file.toString(), c.sourceOf("kafka.port"));
        assertEquals(Path.of("/from/env"), c.getPath("kafka.data-dir"));
        assertEquals("env FACESTREAM_KAFKA_DATA_DIR", c.sourceOf("kafka.data-dir"));
        assertEquals(2, c.getInt("topics.frames.partitions"));
        assertEquals("defaults", c.sourceOf("metrics.log-interval"));
    }

    @Test
    void unknownKeyIsAnErrorNamingKeyAndSource(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "kafak:\n  port: 1\n");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder().file(file).isolated().build());
        assertTrue(e.getMessage().contains("'kafak.port'"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void malformedValuesNameTheKey() {
        // refused at load, not when a service first reads the key
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder()
                        .isolated()
                        .flag("kafka.port=abc")
                        .build());
        assertTrue(
                e.getMessage().contains("kafka.port")
                        && e.getMessage().contains("abc")
                        && e.getMessage().contains("flag"),
                e.getMessage());
        assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder().isolated().flag("no-equals-sign"));
        assertThrows(ConfigException.class, () -> FacestreamConfig.builder().file(Path.of("/does/not/exist.yaml")));
    }

    @Test
    void durationsAndHome() {
        assertEquals(Duration.ofMillis(500), FacestreamConfig.parseDuration("500ms"));
        assertEquals(Duration.ofHours(24), FacestreamConfig.parseDuration("24h"));
        assertEquals(Duration.ofDays(7), FacestreamConfig.parseDuration("7d"));
        assertEquals(Duration.ofMinutes(90), FacestreamConfig.parseDuration("PT90M"));
        assertThrows(IllegalArgumentException.class, () -> FacestreamConfig.parseDuration("soon"));
        FacestreamConfig c = FacestreamConfig.builder().isolated().build();
        assertEquals(Duration.ofSeconds(10), c.getDuration("metrics.log-interval"));
        assertTrue(c.getPath("kafka.data-dir").startsWith(System.getProperty("user.home")));
    }
}
