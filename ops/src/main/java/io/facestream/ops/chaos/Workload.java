package io.facestream.ops.chaos;

import io.facestream.core.events.FrameHeaders;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The input of one run, produced while the fault happens: frames of a few cameras on facestream.frames, each naming
 * 1 to 3 given faces ({@code fs.faces}, so no detector runs and every frame's faces are known), for the embed
 * service; and short synthetic tracks on facestream.faces for the match service, each of 4 faces in its own direction
 * of feature space and 3 s of capture time after the one before, so each is exactly one track with one FINAL.
 * Only records the broker acknowledged count as sent.
 */
final class Workload implements AutoCloseable {
    static final int FACES_PER_TRACK = 4;
    private static final byte[] IMAGE = image();

    private final List<String> frameCameras;
    private final String trackCamera;
    /** How long the workload's producer keeps a record through a broker outage: longer than any outage a run makes. */
    static final int OUTAGE_TOLERANCE_MS = 10 * 60_000;

    private final KafkaProducer<String, byte[]> producer;
    private final Set<Ledger.Key> sentFaces = new HashSet<>();
    private final AtomicInteger sentTracks = new AtomicInteger();
    private final AtomicInteger trackFacesSent = new AtomicInteger();
    private final AtomicReference<Exception> failed = new AtomicReference<>();
    private final Thread frames;
    private final Thread tracks;
    private volatile boolean running = true;
    /** When each frame seq (all cameras) and each track was handed to the producer: (number, wall-clock ms). */
    private final List<long[]> frameTimes = java.util.Collections.synchronizedList(new ArrayList<>());

    private final List<long[]> trackTimes = java.util.Collections.synchronizedList(new ArrayList<>());

    Workload(String bootstrap, String runId, int cameras) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < cameras; c++) {
            names.add(runId + "-cam" + c);
        }
        this.frameCameras = List.copyOf(names);
        this.trackCamera = runId + "-tracks";
        // linger: a track's faces leave in one batch, which the broker appends whole (a track is never split by a
        // broker that goes away between its faces)
        // and the cameras ride out any outage a campaign makes: a producer that gave up after Kafka's default two
        // minutes would end a run with a long broker-down (the three minutes) for the harness, not the system
        this.producer = new KafkaProducer<>(KafkaClients.with(
                KafkaClients.producer(bootstrap, "chaos-" + runId),
                Map.of(
                        ProducerConfig.LINGER_MS_CONFIG, 50,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, OUTAGE_TOLERANCE_MS,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, OUTAGE_TOLERANCE_MS)));
        this.frames = new Thread(this::produceFrames, "chaos-frames-" + runId);
        this.tracks = new Thread(this::produceTracks, "chaos-tracks-" + runId);
        frames.start();
        tracks.start();
    }

    List<String> frameCameras() {
        return frameCameras;
    }

    String trackCamera() {
        return trackCamera;
    }

    /** Every camera of the run (frames and tracks). */
    List<String> cameras() {
        List<String> all = new ArrayList<>(frameCameras);
        all.add(trackCamera);
        return all;
    }

    private void produceFrames() {
        try {
            for (long seq = 0; running; seq++) {
                frameTimes.add(new long[] {seq, System.currentTimeMillis()});
                for (String camera : frameCameras) {
                    int n = facesOf(camera, seq);
                    long frameSeq = seq;
                    producer.send(frame(camera, seq), (md, e) -> {
                        if (e == null) {
                            synchronized (sentFaces) {
                                for (int i = 0; i < n; i++) {
                                    sentFaces.add(new Ledger.Key(camera, frameSeq, i));
                                }
                            }
                        }
                    });
                }
                producer.flush();
                Thread.sleep(400);
            }
        } catch (Exception e) {
            failed.compareAndSet(null, e);
        }
    }

    /** How many given faces frame {@code seq} of {@code camera} names: 1 to 3, varying from frame to frame. */
    static int facesOf(String camera, long seq) {
        return 1 + (int) ((seq + camera.hashCode()) % 3 + 3) % 3;
    }

    /**
     * Frame {@code seq} of {@code camera}: the same small JPEG each time, with {@link #facesOf} given faces in the
     * {@code fs.faces} header, so the embed service runs no detector and embeds exactly those faces.
     */
    static ProducerRecord<String, byte[]> frame(String camera, long seq) {
        int n = facesOf(camera, seq);
        List<String> faces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            faces.add("{\"box\":[" + (20 + 40 * i) + "," + (20 + 20 * i) + ",120,140],\"label\":\"f" + i + "\"}");
        }
        RecordHeaders h = new RecordHeaders();
        h.add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        h.add(FrameHeaders.FACES, ("[" + String.join(",", faces) + "]").getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(TopicCatalog.FRAMES, null, camera, IMAGE, h);
    }

    private void produceTracks() {
        long t0 = System.currentTimeMillis() * 1000L;
        try {
            for (int track = 0; running; track++) {
                trackTimes.add(new long[] {track, System.currentTimeMillis()});
                AtomicInteger acked = new AtomicInteger();
                for (int f = 0; f < FACES_PER_TRACK; f++) {
                    producer.send(
                            new ProducerRecord<>(
                                    TopicCatalog.FACES,
                                    trackCamera,
                                    SyntheticTracks.face(trackCamera, track, f, FACES_PER_TRACK, t0)
                                            .toByteArray()),
                            (md, e) -> {
                                if (e == null) {
                                    acked.incrementAndGet();
                                    trackFacesSent.incrementAndGet();
                                }
                            });
                }
                producer.flush();
                if (acked.get() == FACES_PER_TRACK) {
                    sentTracks.incrementAndGet();
                } else {
                    throw new IllegalStateException("the broker refused faces of track " + track + " of " + trackCamera
                            + " for longer than the producer's delivery timeout; the run cannot count its tracks");
                }
                Thread.sleep(300);
            }
        } catch (Exception e) {
            failed.compareAndSet(null, e);
        }
    }

    /** Stops producing and waits for the last sends to be acknowledged. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        frames.join();
        tracks.join();
        producer.close();
        if (failed.get() != null) {
            throw new IllegalStateException("the run's producer failed: " + failed.get(), failed.get());
        }
    }

    /** The frames' faces the broker acknowledged: each must come out exactly once. */
    Set<Ledger.Key> sentFaces() {
        synchronized (sentFaces) {
            return Set.copyOf(sentFaces);
        }
    }

    /** The first frame seq handed to the producer at or after {@code ms}, or -1 if none. */
    long firstFrameSince(long ms) {
        return firstSince(frameTimes, ms);
    }

    /**
     * The match service's number of the first track handed to the producer at or after {@code ms} (the service
     * numbers a camera's tracks from 1 in capture order), or -1 if none.
     */
    long firstTrackSince(long ms) {
        long t = firstSince(trackTimes, ms);
        return t < 0 ? -1 : t + 1;
    }

    private static long firstSince(List<long[]> times, long ms) {
        synchronized (times) {
            for (long[] t : times) {
                if (t[1] >= ms) {
                    return t[0];
                }
            }
        }
        return -1;
    }

    int sentTracks() {
        return sentTracks.get();
    }

    int trackFacesSent() {
        return trackFacesSent.get();
    }

    /** A 320x320 grey JPEG with some structure: the given boxes lie inside it, the embedder gets pixels to work on. */
    private static byte[] image() {
        BufferedImage img = new BufferedImage(320, 320, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 320; y++) {
            for (int x = 0; x < 320; x++) {
                int v = (x * 7 + y * 3 + (x * y) % 51) & 0xff;
                img.setRGB(x, y, v << 16 | ((v + 60) & 0xff) << 8 | ((v * 3) & 0xff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
