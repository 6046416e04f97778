package io.facestream.match.notify;

import io.facestream.core.config.FacestreamConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code notify.*}: the consumer group that reads {@code facestream.matches} for notifications, the MQTT broker (off
 * while {@code notify.mqtt.url} is empty), the webhooks and the retry policy shared by all of them.
 *
 * @param mqtt null when MQTT is off
 */
public record NotifySettings(
        String group, Duration timeout, MqttSink.MqttSettings mqtt, List<WebhookSink> webhooks, RetryPolicy retry) {
    public NotifySettings {
        webhooks = List.copyOf(webhooks);
    }

    public static NotifySettings fromConfig(FacestreamConfig config, Clock clock) {
        Duration timeout = config.getDuration("notify.timeout");
        String url = config.getString("notify.mqtt.url").trim();
        MqttSink.MqttSettings mqtt = url.isEmpty()
                ? null
                : new MqttSink.MqttSettings(
                        url,
                        config.getString("notify.mqtt.topic-prefix"),
                        config.getString("notify.mqtt.client-id").trim(),
                        config.getString("notify.mqtt.username"),
                        config.getString("notify.mqtt.password"),
                        config.getInt("notify.mqtt.qos"),
                        config.getBoolean("notify.mqtt.discovery"),
                        config.getString("notify.mqtt.discovery-prefix"),
                        NotifyRule.parse(
                                "notify.mqtt",
                                config.getString("notify.mqtt.decisions"),
                                config.getString("notify.mqtt.stages"),
                                config.getString("notify.mqtt.cameras"),
                                config.getString("notify.mqtt.galleries")),
                        timeout);
        List<WebhookSink> webhooks = WebhookSink.fromSection(config.section("notify.webhooks"), timeout, clock);
        String group = config.getString("notify.group").trim();
        if (group.isEmpty()) {
            throw new IllegalArgumentException(
                    "notify.group is empty: name the consumer group that reads facestream.matches for notifications");
        }
        return new NotifySettings(group, timeout, mqtt, webhooks, RetryPolicy.fromConfig(config));
    }

    /** Whether anything is to be notified at all. */
    public boolean enabled() {
        return mqtt != null || !webhooks.isEmpty();
    }
}
