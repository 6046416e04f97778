package io.facestream.ops.kafka;

import io.facestream.broker.BrokerSecurity;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.FacestreamConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The embedded broker as {@code facestream kafka} and {@code facestream up} start it: on {@code kafka.port} with its
 * data in {@code kafka.data-dir} and {@code kafka.broker.*} over its settings; PLAINTEXT, or with
 * {@code kafka.secure-dir} SASL_SSL with a user per service ({@link ServiceAcls#USERS}) and their ACLs.
 */
public final class LocalBroker {
    private LocalBroker() {}

    public static EmbeddedKafka start(FacestreamConfig config) {
        Map<String, String> broker = brokerProperties(config);
        if (!secure(config)) {
            return EmbeddedKafka.start(
                    config.getPath("kafka.data-dir"), config.getInt("kafka.port"), broker, null, List.of());
        }
        BrokerSecurity security = BrokerSecurity.prepare(config.getPath("kafka.secure-dir"), ServiceAcls.USERS);
        return EmbeddedKafka.start(
                config.getPath("kafka.data-dir"),
                config.getInt("kafka.port"),
                broker,
                security,
                ServiceAcls.bindings(config));
    }

    /** Whether {@code kafka.secure-dir} asks for the secure broker. */
    public static boolean secure(FacestreamConfig config) {
        return !config.getString("kafka.secure-dir", "").isBlank();
    }

    /** {@code kafka.broker.<name>}: broker properties over the embedded broker's own. */
    static Map<String, String> brokerProperties(FacestreamConfig config) {
        Map<String, String> out = new TreeMap<>();
        config.section("kafka.broker").forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
