package io.facestream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ops has every module's defaults on its class path: every numeric key of all of them has a declared range that holds
 * its default, and docs/configuration.md lists exactly those keys, defaults and ranges.
 */
class ConfigurationDocTest {
    /** Surefire runs in the module directory (ops/); the docs are at the repository root. */
    private static final Path DOC =
            Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("configuration.md");

    private static final Pattern ROW = Pattern.compile("\\| `([a-z0-9.-]+)` \\| `([^`]*)` \\| (.+) \\|");

    private static Map<String, String> declared(FacestreamConfig c) {
        Map<String, String> rows = new TreeMap<>();
        c.ranges()
                .forEach((k, r) ->
                        rows.put(k, "| `" + k + "` | `" + c.defaultValues().get(k) + "` | " + r.describe() + " |"));
        return rows;
    }

    @Test
    void everyNumericKeyOfEveryModuleHasARange() {
        FacestreamConfig c = FacestreamConfig.builder().isolated().build();
        assertEquals(
                List.of(),
                c.numericKeysWithoutRange(),
                "declare a range for these keys in their module's META-INF/facestream/ranges.yaml");
        for (String module : List.of("kafka.", "topics.", "face.", "embed.", "gallery.", "ingest.", "match.", "api.")) {
            assertTrue(
                    c.ranges().keySet().stream().anyMatch(k -> k.startsWith(module)), "no ranges of " + module + "*");
        }
    }

    @Test
    void configurationDocListsEveryRange() throws Exception {
        Map<String, String> expected =
                declared(FacestreamConfig.builder().isolated().build());
        Map<String, String> documented = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                documented.put(m.group(1), line);
            }
        }
        assertEquals(
                expected,
                documented,
                "docs/configuration.md's table should be:\n" + String.join("\n", expected.values()));
    }

    @Test
    void outOfRangeValuesOfTheIssueAreRefusedNamingTheKey() {
        Map<String, Object> bad = Map.of(
                "match.default-threshold",
                "NaN",
                "match.track.close-after",
                "0s",
                "match.track.min-iou",
                1.5,
                "face.mtcnn.scale-factor",
                1,
                "gallery.hnsw.m",
                1000,
                "ingest.fps",
                -1,
                "embed.service.crop-jpeg-quality",
                0);
        bad.forEach((key, value) -> {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> FacestreamConfig.builder().isolated().flag(key, value).build(),
                    key);
            assertTrue(
                    e.getMessage().startsWith("config " + key + " = '" + value + "' (from flag) is "), e.getMessage());
        });
        ConfigException minusOne = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder()
                        .isolated()
                        .flag("match.default-threshold", -1)
                        .build());
        assertEquals(
                "config match.default-threshold = '-1' (from flag) is out of range: use a number in (0, 1]",
                minusOne.getMessage());
    }
}
