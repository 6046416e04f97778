package io.facestream.match.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Webhooks fed from a real {@code facestream.matches} topic: a receiver that fails twice and then accepts gets the
 * decision once accepted, every attempt signed; a receiver that always fails gets the decision dead-lettered to
 * {@code facestream.dlq} with the reason; a webhook's rule keeps the decisions it does not want away from it.
 */
@KafkaBroker
class WebhookDeliveryTest {
    private static final String SECRET = "webhook-test-secret-0123456789";

    /** One request as the receiver saw it. */
    private record Received(byte[] body, String timestamp, String signature, String matchId, int answered) {}

    /** A JDK HttpServer answering 500 to the first {@code failures} requests, then 204. */
    private static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final List<Received> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger left;

        Receiver(int failures) throws Exception {
            left = new AtomicInteger(failures);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                int status = left.getAndDecrement() > 0 ? 500 : 204;
                requests.add(new Received(
                        body,
                        ex.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER),
                        ex.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER),
                        ex.getRequestHeaders().getFirst(WebhookSink.MATCH_ID_HEADER),
                        status));
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        List<Received> accepted() {
            return requests.stream().filter(r -> r.answered() / 100 == 2).toList();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static Match decision(String camera, Match.Stage stage, Match.Decision decision) {
        long t = System.currentTimeMillis() * 1000;
        return new Match(
                camera + "/1/" + stage,
                "1",
                camera,
                t - 500_000,
                t,
                stage,
                decision,
                0.4,
                "watchlist",
                new Match.ModelId("mobilefacenet", "1"),
                List.of(new Match.Candidate("alice", "alice-1", 0.71)),
                4,
                "faces/0/7");
    }

    @Test
    void retriedUntilAcceptedSignedEveryTimeAndDeadLetteredWhenNeverAccepted(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String camera = "hook-" + run;
        String group = "notify-webhook-" + run;
        String verifyGroup = "notify-webhook-verify-" + run;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        ConsumerGroups.startAtEnd(bootstrap, group, TopicCatalog.MATCHES);
        ConsumerGroups.startAtEnd(bootstrap, verifyGroup, TopicCatalog.DLQ);
        RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(400), 2);
        NotifyRule finals = NotifyRule.parse("test", "HIT,UNKNOWN", "FINAL", camera, "");
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);

        try (Receiver flaky = new Receiver(2);
                Receiver down = new Receiver(Integer.MAX_VALUE);
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(bootstrap, "notify-test-" + run));
                KafkaConsumer<String, byte[]> dlq =
                        new KafkaConsumer<>(KafkaClients.consumer(bootstrap, verifyGroup))) {
            WebhookSink flakySink =
                    new WebhookSink("flaky", flaky.url(), secret, finals, Duration.ofSeconds(5), Clock.systemUTC());
            WebhookSink downSink =
                    new WebhookSink("down", down.url(), secret, finals, Duration.ofSeconds(5), Clock.systemUTC());
            try (Notifier notifier = Notifier.start(
                    List.of(flakySink, downSink), retry, Duration.ofSeconds(5), KafkaConnection.of(bootstrap), group)) {
                Match provisional = decision(camera, Match.Stage.PROVISIONAL, Match.Decision.HIT);
                Match fin = decision(camera, Match.Stage.FINAL, Match.Decision.HIT);
                byte[] finJson = JsonSerde.match().serializer().serialize(TopicCatalog.MATCHES, fin);
                producer.send(new ProducerRecord<>(
                                TopicCatalog.MATCHES,
                                camera,
                                JsonSerde.match().serializer().serialize(TopicCatalog.MATCHES, provisional)))
                        .get();
                producer.send(new ProducerRecord<>(TopicCatalog.MATCHES, camera, finJson))
                        .get();

                dlq.subscribe(List.of(TopicCatalog.DLQ));
                List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (letters.isEmpty() || flaky.accepted().isEmpty()) {
                    assertTrue(
                            System.nanoTime() < deadline,
                            "no dead letter or no accepted delivery within 60 s: flaky saw " + flaky.requests.size()
                                    + ", down saw " + down.requests.size());
                    for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(100))) {
                        if (camera.equals(r.key())) {
                            letters.add(r);
                        }
                    }
                }

                // the flaky receiver: two refusals, then the one accepted delivery, each attempt signed anew
                assertEquals(
                        List.of(500, 500, 204),
                        flaky.requests.stream().map(Received::answered).toList());
                assertEquals(1, flaky.accepted().size(), "accepted once");
                for (Received r : flaky.requests) {
                    assertArrayEquals(
                            finJson,
                            r.body(),
                            "the Match JSON as on facestream.matches (the PROVISIONAL one is filtered out)");
                    assertEquals(fin.matchId(), r.matchId());
                    assertNotNull(r.timestamp(), "timestamp header");
                    long ts = Long.parseLong(r.timestamp());
                    assertTrue(Math.abs(ts - System.currentTimeMillis() / 1000) < 120, "a current timestamp: " + ts);
                    assertTrue(
                            WebhookSignature.verify(secret, ts, r.body(), r.signature()),
                            "signature verifies: " + r.signature());
                }
                assertEquals(new Notifier.Counts(1, 2, 0), notifier.counts("webhook:flaky"));

                // the receiver that is always down: every attempt, then the dead letter with its reason
                assertEquals(retry.attempts(), down.requests.size());
                assertEquals(1, letters.size(), "one dead letter");
                ConsumerRecord<String, byte[]> letter = letters.get(0);
                assertArrayEquals(finJson, letter.value(), "the dead letter keeps the original record");
                assertEquals(Notifier.STAGE, header(letter, DeadLetter.STAGE));
                assertEquals(TopicCatalog.MATCHES, header(letter, DeadLetter.SOURCE_TOPIC));
                assertEquals("webhook:down", header(letter, Notifier.SINK_HEADER));
                assertEquals("4", header(letter, Notifier.ATTEMPTS_HEADER));
                assertEquals(
                        "webhook:down: 4 attempts failed, the last: POST " + down.url() + " answered HTTP 500",
                        header(letter, DeadLetter.REASON));
                assertEquals(new Notifier.Counts(0, 3, 1), notifier.counts("webhook:down"));
                assertEquals(null, notifier.failure());
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
