package io.facestream.ops.bench;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.ops.runtime.AllInOne;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench e2e}: frame-in → match-out latency of the whole system in one JVM (broker, embed, match).
 * Each camera shows two real people in turn, three frames each; with a short track close time every visit opens a
 * new track that becomes confident on its third face, so each third frame yields a PROVISIONAL decision whose
 * latency is the time it was read from {@code facestream.matches} minus the capture time of that frame (stamped when
 * the frame was sent). Then the sustained rate: a burst of frames and the time the embed service needs to drain it.
 */
@Command(
        name = "e2e",
        mixinStandardHelpOptions = true,
        description = "End-to-end latency (frame in -> match out) at several camera counts, and sustained frames/s.")
public final class E2eBenchCommand implements Callable<Integer> {
    private static final int FRAMES_PER_VISIT = 3;

    @Mixin
    ConfigOptions options;

    @Option(
            names = "--cameras",
            split = ",",
            defaultValue = "1,4,8",
            description = "Camera counts to measure (default ${DEFAULT-VALUE})")
    List<Integer> cameraCounts;

    @Option(
            names = "--fps",
            defaultValue = "1",
            description = "Frames per second per camera (default ${DEFAULT-VALUE})")
    double fps;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "Seconds of load per camera count (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--burst",
            defaultValue = "200",
            description = "Frames of the sustained-rate burst (default ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (fps <= 0 || seconds <= 0 || burst <= 0 || cameraCounts.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--fps, --seconds, --burst and every --cameras count must be positive");
        }
        List<byte[]> people = people();
        Path work = Files.createTempDirectory("facestream-bench-e2e-");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("kafka.data-dir", work.resolve("kafka").toString());
        flags.put("kafka.port", 0);
        flags.put("api.port", 0);
        flags.put("api.keys.bench.key", "bench-e2e-key-" + Long.toHexString(System.nanoTime()));
        flags.put("api.audit-log", work.resolve("audit.log").toString());
        flags.put("api.key-store", work.resolve("api-keys.json").toString());
        flags.put("api.upload-dir", work.resolve("uploads").toString());
        flags.put("gallery.index-dir", work.resolve("gallery").toString());
        flags.put("match.state-dir", work.resolve("match-state").toString());
        // a visit of 3 frames, then another person: the old track must close before the same person comes back
        flags.put("match.track.close-after", Math.round(1000 * FRAMES_PER_VISIT / fps) + "ms");
        flags.put("match.track.reorder-window", "1ms");
        flags.put("embed.service.mode", "complete");
        FacestreamConfig config = options.load(flags);

        Table table = new Table(
                "end-to-end latency: frame in -> match out (PROVISIONAL decision)",
                "cameras",
                "offered frames/s",
                "decisions",
                "expected",
                "p50 ms",
                "p99 ms",
                "max ms");
        try (AllInOne all = AllInOne.start(config)) {
            all.service(MatchService.class).orElseThrow().awaitRunning(Duration.ofMinutes(2));
            KafkaConnection kafka = all.connection();
            String run = Long.toHexString(System.currentTimeMillis());
            load(kafka, people, "warmup-" + run, 1, 5, new ArrayList<>()); // models loaded, JIT warm
            for (int n : cameraCounts) {
                List<Long> latencies = new ArrayList<>();
                int sent = load(kafka, people, "e2e-" + run + "-" + n, n, seconds, latencies);
                long[] l =
                        latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                table.row(
                        n,
                        n * fps,
                        l.length,
                        sent / FRAMES_PER_VISIT,
                        ms(percentile(l, 0.5)),
                        ms(percentile(l, 0.99)),
                        ms(l.length == 0 ? -1 : l[l.length - 1]));
                System.err.printf("bench e2e: %d camera(s) done, %d decisions%n", n, l.length);
            }
            double sustained = sustained(kafka, people, config.getString("embed.service.group-id"), "burst-" + run);
            table.note("sustained frames/s (burst of " + burst + " frames on 4 cameras, drained by embed)", sustained);
        }
        table.note(
                        "frames",
                        "real photos (two portraits of different people from the sample photos) on a 640x480 canvas, MTCNN + MobileFaceNet on "
                                + config.getString("face.device"))
                .note("cores", Runtime.getRuntime().availableProcessors())
                .note("seconds per camera count", seconds);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
        return 0;
    }

    /** Sends {@code fps} frames/s on each of n cameras for the given seconds; collects PROVISIONAL latencies (µs). */
    private int load(KafkaConnection kafka, List<byte[]> people, String prefix, int n, int secs, List<Long> latencies)
            throws Exception {
        try (KafkaConsumer<String, byte[]> matches = matchesFromNow(kafka);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka, prefix))) {
            var values = JsonSerde.match().deserializer();
            long periodNanos = (long) (1e9 / fps);
            long start = System.nanoTime();
            int frames = (int) Math.round(secs * fps);
            int sent = 0;
            for (int k = 0; k < frames; k++) {
                long due = start + k * periodNanos;
                while (System.nanoTime() < due) {
                    drain(
                            matches,
                            values,
                            prefix,
                            latencies,
                            Duration.ofMillis(Math.max(1, (due - System.nanoTime()) / 1_000_000)));
                }
                byte[] frame = people.get((k / FRAMES_PER_VISIT) % people.size());
                for (int c = 0; c < n; c++) {
                    producer.send(frame(prefix + "-" + c, k, frame));
                    sent++;
                }
                producer.flush();
            }
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && latencies.size() < sent / FRAMES_PER_VISIT) {
                drain(matches, values, prefix, latencies, Duration.ofMillis(200));
            }
            return sent;
        }
    }

    private static void drain(
            KafkaConsumer<String, byte[]> matches,
            org.apache.kafka.common.serialization.Deserializer<Match> values,
            String prefix,
            List<Long> latencies,
            Duration wait) {
        for (ConsumerRecord<String, byte[]> r : matches.poll(wait)) {
            long nowUs = System.currentTimeMillis() * 1000;
            if (r.key() != null && r.key().startsWith(prefix)) {
                Match m = values.deserialize(r.topic(), r.value());
                if (m.stage() == Match.Stage.PROVISIONAL) {
                    latencies.add(nowUs - m.endTsUs());
                }
            }
        }
    }

    /** Frames/s the system drains: a burst on 4 cameras, timed until the embed group has committed all of it. */
    private double sustained(KafkaConnection kafka, List<byte[]> people, String group, String prefix) throws Exception {
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka, prefix))) {
            for (int k = 0; k < burst; k++) {
                producer.send(
                        frame(prefix + "-" + (k % 4), k / 4, people.get((k / 4 / FRAMES_PER_VISIT) % people.size())));
            }
            producer.flush();
        }
        try (Admin admin = KafkaClients.admin(kafka)) {
            while (lag(admin, group) > 0) {
                Thread.sleep(100);
            }
        }
        return Math.round(burst / ((System.nanoTime() - start) / 1e9) * 10) / 10.0;
    }

    private static long lag(Admin admin, String group) throws Exception {
        var committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        admin.describeTopics(List.of(TopicCatalog.FRAMES))
                .allTopicNames()
                .get()
                .get(TopicCatalog.FRAMES)
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(TopicCatalog.FRAMES, p.partition()), OffsetSpec.latest()));
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            var c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    private static ProducerRecord<String, byte[]> frame(String camera, long seq, byte[] jpeg) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg);
        r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
        return r;
    }

    private static KafkaConsumer<String, byte[]> matchesFromNow(KafkaConnection kafka) {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        List<TopicPartition> parts = c.partitionsFor(TopicCatalog.MATCHES).stream()
                .map(p -> new TopicPartition(TopicCatalog.MATCHES, p.partition()))
                .toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    /** Two different real people, each centred on a 640x480 grey canvas (a camera-sized frame). */
    private static List<byte[]> people() {
        SamplePhotos photos = SamplePhotos.fetch();
        List<byte[]> out = new ArrayList<>();
        for (SamplePhotos.Portrait person : List.of(SamplePhotos.Portrait.SAME_A, SamplePhotos.Portrait.OTHER)) {
            Path p = photos.portrait(person);
            try {
                BufferedImage photo = ImageIO.read(p.toFile());
                if (photo == null) {
                    throw new IllegalArgumentException(p + ": not an image");
                }
                BufferedImage canvas = new BufferedImage(640, 480, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = canvas.createGraphics();
                g.setColor(java.awt.Color.GRAY);
                g.fillRect(0, 0, 640, 480);
                double s = Math.min(400.0 / photo.getWidth(), 400.0 / photo.getHeight());
                int w = (int) (photo.getWidth() * s), h = (int) (photo.getHeight() * s);
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(photo, (640 - w) / 2, (480 - h) / 2, w, h, null);
                g.dispose();
                ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
                ImageIO.write(canvas, "jpg", jpeg);
                out.add(jpeg.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException("bench e2e needs the shared photos; cannot read " + p, e);
            }
        }
        return out;
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static Object ms(long micros) {
        return micros < 0 ? "-" : Math.round(micros / 100.0) / 10.0;
    }
}
