package io.facestream.core.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.testing.Fuzzing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes the configuration file: any bytes as {@code --config FILE} either load (every value within its declared
 * range, and every value within its range read by the getter its range implies) or are refused with a
 * {@link ConfigException} that names the file. No other exception, nothing slow (YAML aliases, deep nesting).
 */
class FacestreamConfigFuzzTest {
    private static final Path FILE = file();

    private static Path file() {
        try {
            Path f = Files.createTempFile("facestream-fuzz", ".yaml");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DictionaryEntries({
        "kafka:",
        "topics:",
        "management:",
        "metrics:",
        "partitions: ",
        "log-interval: ",
        "broker-check-interval: ",
        "port: ",
        "PT1H",
        "500ms",
        "1e309",
        ".nan",
        ".inf",
        "&a ",
        "*a",
        "<<: *a",
        "!!binary ",
        "!!float ",
        "2147483648"
    })
    @FuzzTest(maxDuration = "30s")
    void yaml(byte[] data) throws IOException {
        Files.write(FILE, data);
        FacestreamConfig[] loaded = new FacestreamConfig[1];
        Fuzzing.check(
                () -> loaded[0] =
                        FacestreamConfig.builder().isolated().file(FILE).build(),
                ConfigException.class);
        FacestreamConfig c = loaded[0];
        if (c == null) {
            return;
        }
        // a value within its declared range reads through the getter its range implies, without an exception
        Fuzzing.check(() -> {
            for (Map.Entry<String, ConfigRange> e : c.ranges().entrySet()) {
                if (!c.has(e.getKey())) {
                    continue;
                }
                switch (e.getValue().type()) {
                    case INTEGER -> c.getInt(e.getKey());
                    case NUMBER -> c.getDouble(e.getKey());
                    case DURATION -> c.getDuration(e.getKey());
                    case NUMBERS -> c.getList(e.getKey());
                }
            }
            for (String key : c.asMap().keySet()) {
                if (c.has(key)) {
                    c.getString(key);
                    c.sourceOf(key);
                }
            }
        });
    }
}
