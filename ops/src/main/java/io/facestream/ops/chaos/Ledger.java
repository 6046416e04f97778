package io.facestream.ops.chaos;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the pipeline committed, as a downstream reader sees it: a read_committed consumer tails facestream.faces and
 * facestream.matches from their ends at start and counts, per observation (camera, seq, face index) and per track's
 * FINAL decision, how many committed records carry it and when the first one arrived. Aborted transactions and a
 * zombie's writes are invisible to it, exactly as to the match service.
 */
final class Ledger implements AutoCloseable {
    /** One observation: a frame's face. */
    record Key(String camera, long seq, int face) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<Key, Integer> faces = new HashMap<>();
    private final Map<String, Integer> finals = new HashMap<>();
    /** Wall-clock arrival (ms) of the first committed record of each observation and each FINAL decision. */
    private final Map<Key, Long> faceArrivals = new HashMap<>();

    private final Map<String, Long> finalArrivals = new HashMap<>();
    /**
     * The frame records (partition, offset) each observation was embedded from: one for an observation committed twice
     * means the pipeline committed a frame's faces twice; two means the frame itself was on facestream.frames twice.
     */
    private final Map<Key, Set<Long>> sourceFrames = new HashMap<>();

    private volatile Throwable failure;

    /** Frames per camera on facestream.frames (only when counted): records and the highest seq. */
    private final Map<String, long[]> frames = new HashMap<>();

    private final boolean countFrames;
    /** Distinct observations per camera, for a cheap count while input is produced. */
    private final Map<String, Integer> facesPerCamera = new HashMap<>();

    Ledger(String bootstrap) {
        this(bootstrap, false);
    }

    /** With {@code countFrames}, also counts each camera's frames on facestream.frames (an ingest process's output). */
    Ledger(String bootstrap, boolean countFrames) {
        this.countFrames = countFrames;
        consumer = new KafkaConsumer<>(KafkaClients.with(
                KafkaClients.consumer(bootstrap, null),
                Map.of(
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())));
        List<TopicPartition> parts = new ArrayList<>();
        List<String> topics = countFrames
                ? List.of(TopicCatalog.FACES, TopicCatalog.MATCHES, TopicCatalog.FRAMES)
                : List.of(TopicCatalog.FACES, TopicCatalog.MATCHES);
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position); // resolve the end now: records written from here on are counted
        thread = new Thread(this::run, "chaos-ledger");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        var matches = JsonSerde.match().deserializer();
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        continue;
                    }
                    String camera = new String(r.key(), StandardCharsets.UTF_8);
                    long now = System.currentTimeMillis();
                    if (r.topic().equals(TopicCatalog.FRAMES)) {
                        long n = FrameHeaders.readLong(r.headers(), FrameHeaders.SEQ)
                                .orElse(-1);
                        synchronized (this) {
                            long[] c = frames.computeIfAbsent(camera, k -> new long[] {0, -1});
                            c[0]++;
                            c[1] = Math.max(c[1], n);
                        }
                    } else if (r.topic().equals(TopicCatalog.FACES)) {
                        FaceObservation o;
                        try {
                            o = FaceObservation.parseFrom(r.value());
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            continue; // not ours: the campaign's cameras only carry well-formed records
                        }
                        if (o.hasProgress()) {
                            continue;
                        }
                        synchronized (this) {
                            Key k = new Key(camera, o.getFrameSeq(), o.getFaceIndex());
                            if (faces.merge(k, 1, Integer::sum) == 1) {
                                facesPerCamera.merge(camera, 1, Integer::sum);
                            }
                            faceArrivals.putIfAbsent(k, now);
                            sourceFrames
                                    .computeIfAbsent(k, x -> new java.util.HashSet<>())
                                    .add(((long) o.getFramePartition() << 48) | o.getFrameOffset());
                        }
                    } else {
                        Match m = matches.deserialize(r.topic(), r.value());
                        if (m.stage() == Match.Stage.FINAL) {
                            synchronized (this) {
                                finals.merge(m.matchId(), 1, Integer::sum);
                                finalArrivals.putIfAbsent(m.matchId(), now);
                            }
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    void checkRunning() {
        if (failure != null) {
            throw new IllegalStateException("the ledger's consumer stopped: " + failure, failure);
        }
    }

    /** How many committed records carry each of these observations (0 = lost), and any other of the cameras'. */
    synchronized Map<Key, Integer> faces(Set<String> cameras) {
        Map<Key, Integer> out = new HashMap<>();
        faces.forEach((k, n) -> {
            if (cameras.contains(k.camera())) {
                out.put(k, n);
            }
        });
        return out;
    }

    /** FINAL decisions of the camera: match id ({@code camera/track/FINAL}) -> records. */
    synchronized Map<String, Integer> finals(String camera) {
        Map<String, Integer> out = new HashMap<>();
        finals.forEach((id, n) -> {
            if (id.startsWith(camera + "/")) {
                out.put(id, n);
            }
        });
        return out;
    }

    /** How many distinct frame records the committed records of observation {@code k} were embedded from. */
    synchronized int frameRecords(Key k) {
        Set<Long> s = sourceFrames.get(k);
        return s == null ? 0 : s.size();
    }

    /** Distinct observations of these cameras committed so far. */
    synchronized int faceCount(Set<String> cameras) {
        int n = 0;
        for (String c : cameras) {
            n += facesPerCamera.getOrDefault(c, 0);
        }
        return n;
    }

    /** Frames of {@code camera} counted on facestream.frames so far (0 unless the ledger counts frames). */
    synchronized long frames(String camera) {
        long[] c = frames.get(camera);
        return c == null ? 0 : c[0];
    }

    /**
     * What came out of a run, against what went in: each acknowledged frame face must be committed exactly once, each
     * sent track must have exactly one FINAL decision.
     *
     * @param lost       sent observations never committed, plus tracks without a FINAL
     * @param duplicated extra committed records of an observation, records of frames never acknowledged, extra FINALs
     * @param finalsOk   tracks with exactly one FINAL
     * @param examples   a few observations committed other than once ({@code camera/seq/face xN})
     */
    record Tally(int lost, int duplicated, int finalsOk, java.util.SortedSet<String> examples) {}

    /** Counts the run's observations of {@code cameras} and the FINALs of {@code trackCamera} ({@code tracks} sent). */
    Tally tally(Set<Key> sent, Set<String> cameras, String trackCamera, int tracks) {
        Map<Key, Integer> faces = faces(cameras);
        int lost = 0;
        int duplicated = 0;
        java.util.TreeSet<String> examples = new java.util.TreeSet<>();
        for (Key k : sent) {
            int n = faces.getOrDefault(k, 0);
            lost += n == 0 ? 1 : 0;
            duplicated += Math.max(0, n - 1);
            if (n != 1 && examples.size() < 8) {
                examples.add(k.camera() + "/" + k.seq() + "/" + k.face() + " x" + n
                        + (n > 1 ? " (from " + frameRecords(k) + " frame record(s))" : ""));
            }
        }
        for (Map.Entry<Key, Integer> e : faces.entrySet()) {
            if (!sent.contains(e.getKey())) {
                duplicated += e.getValue(); // a face of a frame the producer never had acknowledged
            }
        }
        Map<String, Integer> finals = finals(trackCamera);
        int finalsOk = (int) finals.values().stream().filter(n -> n == 1).count();
        int extraFinals = finals.values().stream().mapToInt(n -> n - 1).sum();
        lost += Math.max(0, tracks - finals.size());
        duplicated += extraFinals + Math.max(0, finals.size() - tracks);
        finalsOk = Math.min(finalsOk, tracks);
        if (finals.size() > tracks) {
            finalsOk = Math.max(0, tracks - (finals.size() - tracks)); // more tracks than sent: a track was split
        }
        return new Tally(lost, duplicated, finalsOk, examples);
    }

    /**
     * When the first observation of a frame of {@code camera} with seq at least {@code fromSeq} arrived, or -1: the
     * output of input that was sent after a fault.
     */
    synchronized long firstFaceArrival(String camera, long fromSeq) {
        long first = -1;
        for (Map.Entry<Key, Long> e : faceArrivals.entrySet()) {
            Key k = e.getKey();
            if (k.camera().equals(camera) && k.seq() >= fromSeq && (first < 0 || e.getValue() < first)) {
                first = e.getValue();
            }
        }
        return first;
    }

    /** When the first FINAL of a track of {@code camera} numbered at least {@code fromTrack} arrived, or -1. */
    synchronized long firstFinalArrival(String camera, long fromTrack) {
        long first = -1;
        for (Map.Entry<String, Long> e : finalArrivals.entrySet()) {
            String[] id = e.getKey().split("/");
            if (id.length == 3
                    && id[0].equals(camera)
                    && trackNumber(id[1]) >= fromTrack
                    && (first < 0 || e.getValue() < first)) {
                first = e.getValue();
            }
        }
        return first;
    }

    private static long trackNumber(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
