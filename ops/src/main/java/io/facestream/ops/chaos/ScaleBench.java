package io.facestream.ops.chaos;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Embed throughput of one embed process against two in one consumer group, with real processes on one broker: each
 * measurement starts its instances ({@link Rig#embed}), waits until they share the facestream.frames partitions,
 * then keeps a bounded backlog of frames with given faces ({@link Workload#frame}, no detector runs: the measurement is
 * embed-bound) in front of them and counts the committed faces of a window; afterwards the backlog is drained and
 * checked (nothing lost, nothing duplicated) before the instances stop. Rounds alternate the order (1 then 2, 2 then
 * 1), so drift of the machine falls on both sides.
 */
public final class ScaleBench {
    /** Faces in flight (sent, not yet committed) the feeder keeps: enough that no instance ever waits for input. */
    private static final int BACKLOG_FACES = 600;

    private static final int CAMERAS = 8;

    /**
     * @param window time the committed faces are counted over, per measurement
     * @param warmup time before the window (model warm-up, first batches)
     * @param rounds measurements per instance count
     * @param dir    work directory: broker data, embed state, one log per process
     */
    public record Settings(Duration window, Duration warmup, int rounds, Path dir) {
        public Settings {
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            }
            if (window.toMillis() < 1_000) {
                throw new IllegalArgumentException("--seconds must be at least 1, got " + window.toMillis() / 1000.0);
            }
        }
    }

    /** One measurement: {@code instances} embed processes, committed frames and faces per second in the window. */
    public record Measurement(
            int round,
            int instances,
            double seconds,
            int frames,
            int faces,
            double framesPerSecond,
            double facesPerSecond,
            int lost,
            int duplicated,
            double load) {}

    private final Settings settings;
    private final Consumer<String> progress;

    public ScaleBench(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public List<Measurement> run() throws InterruptedException {
        List<Measurement> out = new ArrayList<>();
        progress.accept("scale: starting the broker in " + settings.dir());
        try (Rig rig = new Rig(settings.dir(), Duration.ofSeconds(6), progress, 0, 0)) {
            rig.start();
            try (Ledger ledger = new Ledger(rig.bootstrap())) {
                for (int round = 1; round <= settings.rounds(); round++) {
                    int[] order = round % 2 == 1 ? new int[] {1, 2} : new int[] {2, 1};
                    for (int n : order) {
                        Measurement m = measure(rig, ledger, round, n);
                        out.add(m);
                        progress.accept(String.format(
                                Locale.ROOT,
                                "scale round %d, %d embed process(es): %.1f frames/s, %.1f faces/s over %.0f s;"
                                        + " %d lost, %d duplicated",
                                round,
                                n,
                                m.framesPerSecond(),
                                m.facesPerSecond(),
                                m.seconds(),
                                m.lost(),
                                m.duplicated()));
                    }
                }
            }
        }
        return out;
    }

    private Measurement measure(Rig rig, Ledger ledger, int round, int instances) throws InterruptedException {
        int parts = TopicCatalog.defaults().get(TopicCatalog.FRAMES).partitions();
        List<Child> embeds = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Child c = rig.embed("scale-r" + round + "-n" + instances + "-" + (char) ('a' + i));
            embeds.add(c);
            rig.addExtra(c); // the rig's shutdown hook kills it on Ctrl-C
        }
        List<String> cameras = new ArrayList<>();
        for (int c = 0; c < CAMERAS; c++) {
            cameras.add("scale-r" + round + "-n" + instances + "-cam" + c);
        }
        Set<String> cameraSet = new HashSet<>(cameras);
        try {
            embeds.forEach(Child::start);
            for (Child c : embeds) {
                if (!c.awaitReady(Duration.ofSeconds(180))) {
                    throw new IllegalStateException(c.name() + " did not become ready within 180 s; its log " + c.log()
                            + " ends:\n" + c.tail(30));
                }
            }
            List<Set<Integer>> spread =
                    rig.awaitSpread(Rig.EMBED_GROUP, TopicCatalog.FRAMES, instances, parts, Duration.ofSeconds(90));
            if (!Rig.spread(spread, instances, parts)) {
                throw new IllegalStateException("the " + instances + " embed process(es) did not share the " + parts
                        + " partitions of facestream.frames within 90 s: " + spread);
            }
            Feeder feeder = new Feeder(rig.bootstrap(), cameras, ledger, cameraSet);
            double seconds;
            double load;
            int frames;
            int faces;
            try {
                Thread.sleep(settings.warmup().toMillis());
                Map<Ledger.Key, Integer> before = ledger.faces(cameraSet);
                long t0 = System.nanoTime();
                Thread.sleep(settings.window().toMillis());
                Map<Ledger.Key, Integer> after = ledger.faces(cameraSet);
                seconds = (System.nanoTime() - t0) / 1e9;
                // the machine's 1-minute load at the window's end: other work on a shared machine shows here
                load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage();
                faces = after.size() - before.size();
                frames = frames(after) - frames(before);
            } finally {
                feeder.close();
            }
            Set<Ledger.Key> sent = feeder.sent();
            long until = System.currentTimeMillis() + 180_000;
            while (System.currentTimeMillis() < until
                    && !ledger.faces(cameraSet).keySet().containsAll(sent)) {
                ledger.checkRunning();
                Thread.sleep(500);
            }
            Ledger.Tally tally = ledger.tally(sent, cameraSet, "-", 0);
            return new Measurement(
                    round,
                    instances,
                    seconds,
                    frames,
                    faces,
                    frames / seconds,
                    faces / seconds,
                    tally.lost(),
                    tally.duplicated(),
                    load);
        } finally {
            for (Child c : embeds) {
                c.stop(Duration.ofSeconds(20));
                rig.removeExtra(c);
            }
        }
    }

    /** Distinct frames (camera, seq) with a committed face. */
    private static int frames(Map<Ledger.Key, Integer> faces) {
        Set<String> frames = new HashSet<>();
        faces.keySet().forEach(k -> frames.add(k.camera() + "/" + k.seq()));
        return frames.size();
    }

    /** Sends frames as fast as the instances take them, never more than {@link #BACKLOG_FACES} faces ahead. */
    private static final class Feeder implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final Set<Ledger.Key> sent = new HashSet<>();
        private final AtomicInteger sentCount = new AtomicInteger();
        private final AtomicReference<Exception> failed = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;

        Feeder(String bootstrap, List<String> cameras, Ledger ledger, Set<String> cameraSet) {
            producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "scale-feeder"));
            thread = new Thread(
                    () -> {
                        try {
                            for (long seq = 0; running; seq++) {
                                for (String camera : cameras) {
                                    int n = Workload.facesOf(camera, seq);
                                    long frameSeq = seq;
                                    producer.send(Workload.frame(camera, seq), (md, e) -> {
                                        if (e == null) {
                                            synchronized (sent) {
                                                for (int i = 0; i < n; i++) {
                                                    sent.add(new Ledger.Key(camera, frameSeq, i));
                                                }
                                            }
                                        }
                                    });
                                    sentCount.addAndGet(n);
                                }
                                producer.flush();
                                while (running && sentCount.get() - ledger.faceCount(cameraSet) > BACKLOG_FACES) {
                                    Thread.sleep(20);
                                }
                            }
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                        }
                    },
                    "scale-feeder");
            thread.start();
        }

        Set<Ledger.Key> sent() {
            synchronized (sent) {
                return Set.copyOf(sent);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
            producer.close();
            if (failed.get() != null) {
                throw new IllegalStateException("the feeder's producer failed: " + failed.get(), failed.get());
            }
        }
    }

    /**
     * Interleaved measurements, then per instance count the median faces/s with its spread, and the ratio two/one.
     */
    public static Table table(List<Measurement> runs, Settings settings, String command) {
        Table t = new Table(
                "scale: embed throughput, one embed process against two in one group (real processes, one broker)",
                "round",
                "embed processes",
                "window s",
                "frames/s",
                "faces/s",
                "lost",
                "duplicated",
                "load 1 min");
        for (Measurement m : runs) {
            t.row(
                    m.round(),
                    m.instances(),
                    round1(m.seconds()),
                    round1(m.framesPerSecond()),
                    round1(m.facesPerSecond()),
                    m.lost(),
                    m.duplicated(),
                    round1(m.load()));
        }
        double[] one = rates(runs, 1);
        double[] two = rates(runs, 2);
        int cores = Runtime.getRuntime().availableProcessors();
        t.note("command", command);
        t.note("one process faces/s", summary(one));
        t.note("two processes faces/s", summary(two));
        t.note(
                "ratio two/one",
                String.format(
                        Locale.ROOT,
                        "%.2f (median of %d rounds; per round %s)",
                        median(two) / median(one),
                        Math.min(one.length, two.length),
                        perRound(runs)));
        t.note(
                "machine",
                cores + " cores, Java " + Runtime.version() + "; the broker and the feeder share the cores with the "
                        + "embed processes"
                        + (cores <= 2
                                ? ": on " + cores + " cores two processes cannot double the rate, the ratio is bounded"
                                        + " by about " + cores + " minus the broker's and feeder's share"
                                : ""));
        t.note(
                "load 1 min",
                "the machine's load average at the end of each window: a row well above the others of its instance"
                        + " count shared the cores with other work");
        t.note(
                "input",
                "frames with 1 to 3 given faces (fs.faces): no detector runs, every face is embedded (MobileFaceNet); "
                        + "a backlog of " + BACKLOG_FACES + " faces is kept in front of the instances");
        return t;
    }

    private static double[] rates(List<Measurement> runs, int instances) {
        return runs.stream()
                .filter(m -> m.instances() == instances)
                .mapToDouble(Measurement::facesPerSecond)
                .toArray();
    }

    private static String perRound(List<Measurement> runs) {
        List<String> out = new ArrayList<>();
        for (int r = 1; ; r++) {
            int round = r;
            var one = runs.stream()
                    .filter(m -> m.round() == round && m.instances() == 1)
                    .findFirst();
            var two = runs.stream()
                    .filter(m -> m.round() == round && m.instances() == 2)
                    .findFirst();
            if (one.isEmpty() || two.isEmpty()) {
                return String.join(", ", out);
            }
            out.add(String.format(
                    Locale.ROOT, "%.2f", two.get().facesPerSecond() / one.get().facesPerSecond()));
        }
    }

    private static String summary(double[] rates) {
        if (rates.length == 0) {
            return "-";
        }
        double min = java.util.Arrays.stream(rates).min().orElse(0);
        double max = java.util.Arrays.stream(rates).max().orElse(0);
        return String.format(
                Locale.ROOT, "median %.1f, spread %.1f..%.1f (n=%d)", median(rates), min, max, rates.length);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
