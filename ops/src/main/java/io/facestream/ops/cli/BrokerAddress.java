package io.facestream.ops.cli;

import io.facestream.core.config.FacestreamConfig;

/** Where a single-service command finds Kafka: {@code kafka.bootstrap}, else the local broker that {@code facestream kafka} runs. */
public final class BrokerAddress {
    private BrokerAddress() {}

    public static String of(FacestreamConfig config) {
        String b = config.getString("kafka.bootstrap", "").trim();
        return b.isEmpty() ? "127.0.0.1:" + config.getInt("kafka.port") : b;
    }
}
