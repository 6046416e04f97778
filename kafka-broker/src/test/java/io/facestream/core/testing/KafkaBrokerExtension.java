package io.facestream.core.testing;

import io.facestream.broker.EmbeddedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** One broker per test JVM, kept in the root store so JUnit closes it once at the very end. */
public final class KafkaBrokerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    /** Stored value; JUnit closes AutoCloseable store values when the root context ends. */
    record SharedBroker(EmbeddedKafka kafka, String bootstrap) implements AutoCloseable {
        @Override
        public void close() {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.isAnnotated(KafkaBroker.Bootstrap.class) && p.getParameter().getType() == String.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return bootstrap(e);
    }

    /** The shared broker's address, starting it on first use. */
    public static String bootstrap(ExtensionContext e) {
        return e.getRoot()
                .getStore(NS)
                .getOrComputeIfAbsent(
                        "broker",
                        k -> {
                            String external = System.getProperty("kafka.bootstrap", "");
                            if (!external.isBlank()) {
                                return new SharedBroker(null, external.trim());
                            }
                            EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
                            return new SharedBroker(kafka, kafka.bootstrapServers());
                        },
                        SharedBroker.class)
                .bootstrap();
    }
}
