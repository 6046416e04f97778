package io.facestream.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.junit.jupiter.api.Test;

/**
 * Every command builds its configuration through {@link ConfigOptions}, which puts {@code logging.format} into
 * effect: with {@code --set logging.format=json} the console appenders of the running Log4j configuration write
 * JSON from then on; with text they are left as configured.
 */
class ConfigOptionsLoggingTest {

    @Test
    void setLoggingFormatJsonSwitchesTheConsoleToJsonLines() {
        assertFalse(consoleIsJson(), "text before");
        ConfigOptions text = new ConfigOptions();
        text.overrides = List.of("logging.format=text");
        text.load();
        assertFalse(consoleIsJson(), "text leaves the configured layout");

        ConfigOptions json = new ConfigOptions();
        json.overrides = List.of("logging.format=json");
        try {
            json.load();
            assertTrue(consoleIsJson(), "the console appender the root logger writes to is JSON");
        } finally {
            LoggerContext.getContext(false).reconfigure(); // back to the tests' configuration
        }
        assertFalse(consoleIsJson());
    }

    private static boolean consoleIsJson() {
        List<Appender> consoles =
                LoggerContext.getContext(false).getConfiguration().getRootLogger().getAppenders().values().stream()
                        .filter(a -> a instanceof ConsoleAppender)
                        .toList();
        assertEquals(1, consoles.size(), consoles.toString());
        return consoles.getFirst().getLayout() instanceof JsonTemplateLayout;
    }
}
