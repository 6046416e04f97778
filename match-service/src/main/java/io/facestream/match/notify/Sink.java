package io.facestream.match.notify;

import io.facestream.core.events.Match;

/** Where decisions are sent: an MQTT broker or a webhook. One call is one attempt; {@link Delivery} retries. */
public sealed interface Sink extends AutoCloseable permits MqttSink, WebhookSink {
    /** {@code mqtt} or {@code webhook:<name>}: the metric tag, the log name and the dead letter's sink header. */
    String name();

    NotifyRule rule();

    /**
     * Sends one decision once.
     *
     * @param json the decision as it is on {@code facestream.matches} (the Match JSON)
     * @throws Exception why this attempt failed, in words fit for a log (no secrets)
     */
    void send(Match match, byte[] json) throws Exception;

    @Override
    default void close() {}
}
