package io.facestream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declared ranges of numeric keys: the syntax, the check and its messages, and that every numeric key has one. */
class ConfigRangeTest {

    private static ConfigRange range(String declaration) {
        return ConfigRange.parse(declaration, "test");
    }

    private static String refusal(String declaration, Object value) {
        return assertThrows(ConfigException.class, () -> range(declaration).check("some.key", value, "flag"))
                .getMessage();
    }

    @Test
    void intervalsAndComparisons() {
        ConfigRange r = range("number (0, 1]");
        assertFalse(r.contains(0));
        assertTrue(r.contains(1e-9));
        assertTrue(r.contains(1));
        assertFalse(r.contains(1.0000001));
        assertFalse(r.contains(Double.NaN));
        assertEquals("a number in (0, 1]", r.describe());

        ConfigRange atLeastOne = range("integer >= 1");
        assertTrue(atLeastOne.contains(1));
        assertFalse(atLeastOne.contains(0));
        assertEquals("an integer >= 1", atLeastOne.describe());

        ConfigRange positive = range("duration > 0");
        assertFalse(positive.contains(0));
        assertTrue(positive.contains(1));
        assertEquals("a duration > 0", positive.describe());

        ConfigRange session = range("duration [6s, 30m]");
        assertTrue(session.contains(6_000));
        assertTrue(session.contains(1_800_000));
        assertFalse(session.contains(5_999));

        assertEquals(
                "3 comma-separated numbers, each in [0, 1]",
                range("3 numbers [0, 1]").describe());
        assertTrue(range("number < 0").contains(-1));
        assertFalse(range("number < 0").contains(0));
    }

    @Test
    void valuesOfEveryLayerShapeAreChecked() {
        range("number (0, 1]").check("k", 0.4, "defaults");
        range("number (0, 1]").check("k", "0.4", "env FACESTREAM_K");
        range("integer >= 1").check("k", 3, "flag");
        range("integer >= 1").check("k", "3", "flag");
        range("integer >= 1").check("k", 3.0, "file");
        range("duration > 0").check("k", "500ms", "flag");
        range("duration > 0").check("k", "PT1H", "flag");
        range("3 numbers [0, 1]").check("k", "0.6, 0.7, 0.9", "defaults");
        range("3 numbers [0, 1]").check("k", List.of(0.6, 0.7, 0.9), "file");
    }

    @Test
    void refusalsNameKeyValueSourceAndWhatToUse() {
        String nan = refusal("number (0, 1]", "NaN");
        assertEquals("config some.key = 'NaN' (from flag) is not a finite number: use a number in (0, 1]", nan);
        assertTrue(refusal("number (0, 1]", -1).contains("'-1' (from flag) is out of range: use a number in (0, 1]"));
        assertTrue(refusal("number (0, 1]", "Infinity").contains("not a finite number"));
        assertTrue(refusal("number (0, 1]", "1e400").contains("not a finite number"));
        assertTrue(refusal("number (0, 1]", "lots").contains("is not a number"));
        assertTrue(refusal("integer >= 1", 0).contains("out of range: use an integer >= 1"));
        assertTrue(refusal("integer >= 1", 2.5).contains("not an integer"));
        assertTrue(refusal("integer >= 1", "2.5").contains("not an integer"));
        assertTrue(refusal("integer >= 1", 3_000_000_000L).contains("out of range (integers are 32-bit)"));
        assertTrue(refusal("duration > 0", "0s").contains("'0s' (from flag) is out of range: use a duration > 0"));
        assertTrue(refusal("duration > 0", "PT-1S").contains("out of range"));
        assertTrue(refusal("duration > 0", "soon").contains("not a duration"));
        assertTrue(refusal("3 numbers [0, 1]", "0.6, 0.7").contains("not 3 comma-separated numbers"));
        assertTrue(refusal("3 numbers [0, 1]", "0.6, 1.7, 0.9").contains("out of range (1.7)"));
        assertTrue(refusal("3 numbers [0, 1]", "0.6, NaN, 0.9").contains("not a finite number"));
    }

    @Test
    void malformedDeclarationsSayWhatToWrite() {
        for (String bad : List.of(
                "between 0 and 1",
                "number",
                "number 0..1",
                "number [1, 0]",
                "number (, )",
                "duration > soon",
                "0 numbers [0, 1]",
                "number [0, NaN]")) {
            ConfigException e = assertThrows(ConfigException.class, () -> range(bad), bad);
            assertTrue(e.getMessage().startsWith("range '" + bad + "' in test is malformed: "), e.getMessage());
        }
    }

    @Test
    void numericDefaultsAreRecognised() {
        for (Object v : List.of(1, 0.4, -1, "500ms", "10s", "7d", "PT1H", "0.6, 0.7, 0.9", "5")) {
            assertTrue(ConfigRange.isNumeric(v), v.toString());
        }
        for (Object v :
                List.of("", "live", "mobilefacenet", "~/.facestream/kafka", "0.0.0.0", "facestream-match", true)) {
            assertFalse(ConfigRange.isNumeric(v), v.toString());
        }
    }

    @Test
    void everyNumericKeyOfThisModuleHasARangeThatHoldsItsDefault() {
        FacestreamConfig c = FacestreamConfig.defaults();
        assertEquals(List.of(), c.numericKeysWithoutRange(), "declare these in META-INF/facestream/ranges.yaml");
        assertTrue(c.rangeOf("topics.frames.partitions").isPresent());
        c.ranges().forEach((key, r) -> r.check(key, c.defaultValues().get(key), "defaults"));
    }

    @Test
    void outOfRangeValuesAreRefusedAtLoadFromEveryLayer(@TempDir Path dir) throws Exception {
        ConfigException flag = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder()
                        .isolated()
                        .flag("topics.frames.partitions", 0)
                        .build());
        assertEquals(
                "config topics.frames.partitions = '0' (from flag) is out of range: use an integer >= 1",
                flag.getMessage());

        ConfigException env = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder()
                        .env(Map.of("FACESTREAM_METRICS_LOG_INTERVAL", "0s"))
                        .build());
        assertTrue(
                env.getMessage().contains("metrics.log-interval = '0s' (from env FACESTREAM_METRICS_LOG_INTERVAL)"),
                env.getMessage());

        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "kafka:\n  port: 70000\n");
        ConfigException fromFile = assertThrows(
                ConfigException.class,
                () -> FacestreamConfig.builder().file(file).isolated().build());
        assertTrue(
                fromFile.getMessage()
                        .contains("kafka.port = '70000' (from " + file
                                + ") is out of range: use an integer in [0, 65535]"),
                fromFile.getMessage());

        ConfigException override = assertThrows(
                ConfigException.class, () -> FacestreamConfig.defaults().with(Map.of("topics.gallery.partitions", 2)));
        assertTrue(override.getMessage().contains("(from override)"), override.getMessage());
    }
}
