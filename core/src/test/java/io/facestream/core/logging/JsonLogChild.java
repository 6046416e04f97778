package io.facestream.core.logging;

import io.facestream.core.config.FacestreamConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A process that logs as a service does: {@code logging.format} from its argument, then a decision inside a
 * {@link LogContext}, a dead letter with an exception in a nested one, and a line outside any.
 */
public final class JsonLogChild {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLogChild.class);

    private JsonLogChild() {}

    public static void main(String[] args) {
        LogFormat.apply(FacestreamConfig.builder().isolated().flag(args[0]).build());
        LogFormat.apply(FacestreamConfig.builder().isolated().flag(args[0]).build()); // a second switch changes nothing
        try (LogContext ignored = LogContext.of("door-1", "7", "door-1/7/FINAL", "4bf92f3577b34da6a3ce929d0e0e4736")) {
            LOG.info("decided track {}", 7);
            try (LogContext inner = LogContext.of("door-2", null, null, null)) {
                LOG.warn("a frame to the DLQ", new IllegalStateException("bad bytes"));
            }
            if (!"7".equals(MDC.get(LogContext.TRACK))) {
                throw new AssertionError("the inner scope did not restore the outer one");
            }
        }
        LOG.info("after the record");
    }
}
