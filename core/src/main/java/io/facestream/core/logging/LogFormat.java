package io.facestream.core.logging;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;

/**
 * {@code logging.format}: {@code text} (the configured pattern, for people) or {@code json} (one JSON object per
 * line, for a log collector: time, level, logger, thread, message, the {@link LogContext} ids as top-level fields and
 * any exception; template {@value #TEMPLATE}). Switching to JSON swaps the layout of every console appender of the
 * running Log4j configuration, so the levels and loggers stay whatever that configuration says.
 */
public enum LogFormat {
    TEXT,
    JSON;

    public static final String KEY = "logging.format";
    static final String TEMPLATE = "classpath:facestream-log-template.json";

    /** The configured format; an unknown word is an error naming the key, its source and the choices. */
    public static LogFormat of(FacestreamConfig config) {
        String value = config.getString(KEY, "text").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default ->
                throw new ConfigException(
                        KEY + " is '" + value + "' (from " + config.sourceOf(KEY) + "): set it to text or json");
        };
    }

    /** Puts the configured format into effect for this process; text leaves the logging configuration as it is. */
    public static void apply(FacestreamConfig config) {
        if (of(config) == JSON) {
            useJson();
        }
    }

    /** Every console appender of the running configuration writes JSON lines from now on (idempotent). */
    static synchronized void useJson() {
        LoggerContext ctx = LoggerContext.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        JsonTemplateLayout layout = JsonTemplateLayout.newBuilder()
                .setConfiguration(cfg)
                .setEventTemplateUri(TEMPLATE)
                .build();
        Map<String, Appender> replacements = new HashMap<>();
        for (Appender a : List.copyOf(cfg.getAppenders().values())) {
            if (a instanceof ConsoleAppender console && !(console.getLayout() instanceof JsonTemplateLayout)) {
                ConsoleAppender json = ConsoleAppender.newBuilder()
                        .setTarget(console.getTarget())
                        .setName(console.getName() + "-json")
                        .setLayout(layout)
                        .setConfiguration(cfg)
                        .build();
                json.start();
                cfg.addAppender(json);
                replacements.put(console.getName(), json);
            }
        }
        if (replacements.isEmpty()) {
            return;
        }
        List<LoggerConfig> loggers = new java.util.ArrayList<>(cfg.getLoggers().values());
        loggers.add(cfg.getRootLogger());
        for (LoggerConfig logger : loggers) {
            for (AppenderRef ref : List.copyOf(logger.getAppenderRefs())) {
                Appender json = replacements.get(ref.getRef());
                if (json != null && logger.getAppenders().containsKey(ref.getRef())) {
                    logger.removeAppender(ref.getRef());
                    logger.addAppender(json, ref.getLevel(), ref.getFilter());
                }
            }
        }
        ctx.updateLoggers();
    }
}
