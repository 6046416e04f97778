package io.facestream.ops.chaos;

import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A fault-injection campaign: the {@link Rig} is started once, then each fault kind is injected {@code runs} times,
 * each run with its own cameras and its own {@link Workload} produced while the fault happens, and counted with the
 * {@link Ledger}: every acknowledged frame face must be committed on facestream.faces exactly once (camera, seq,
 * face index), and every synthetic track must get exactly one FINAL decision on facestream.matches.
 */
public final class Campaign {
    /**
     * @param faults         fault names in order ({@link Fault#NAMES})
     * @param runs           runs per fault kind
     * @param seed           the random choices (when in the run, which instance)
     * @param brokerDown     how long broker-down keeps the broker away
     * @param sessionTimeout the services' consumer session timeout (embed-pause stops an instance for longer)
     * @param drainTimeout   how long a run may take to come out complete after its input stopped
     * @param dir            work directory: broker data, service state, one log per process
     */
    public record Settings(
            List<String> faults,
            int runs,
            long seed,
            Duration brokerDown,
            Duration sessionTimeout,
            Duration drainTimeout,
            Path dir,
            BrokerStop brokerStop) {
        public Settings {
            if (runs < 1) {
                throw new IllegalArgumentException("--kills must be at least 1, got " + runs);
            }
            faults.forEach(
                    f -> Fault.named(f, brokerDown, brokerStop)); // unknown names fail here, before anything starts
        }
    }

    /** One run of one fault: what went in, what came out. */
    public record Run(
            String fault,
            int run,
            String what,
            int recordsIn,
            int lost,
            int duplicated,
            int tracks,
            int finalsOk,
            double recoverySeconds,
            int unplannedExits,
            String problem) {
        public boolean passed() {
            return lost == 0 && duplicated == 0 && finalsOk == tracks && problem == null;
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public Campaign(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public List<Run> run() throws InterruptedException {
        Random random = new Random(settings.seed());
        List<Run> runs = new ArrayList<>();
        progress.accept("chaos: starting broker, 2 embed instances and the match service in " + settings.dir());
        int diskMb = settings.faults().contains(DiskFull.NAME) ? DiskFull.DISK_MB : 0;
        try (Rig rig = new Rig(settings.dir(), settings.sessionTimeout(), progress, diskMb)) {
            rig.start();
            try (Ledger ledger = new Ledger(rig.bootstrap())) {
                for (String name : settings.faults()) {
                    Fault fault = Fault.named(name, settings.brokerDown(), settings.brokerStop());
                    for (int i = 1; i <= settings.runs(); i++) {
                        Run r = runOnce(rig, ledger, fault, i, random);
                        runs.add(r);
                        progress.accept(String.format(
                                "chaos %s %d/%d: %s; %d in, %d lost, %d duplicated, FINALs %d/%d, recovery %.1f s%s%s",
                                name,
                                i,
                                settings.runs(),
                                r.what(),
                                r.recordsIn(),
                                r.lost(),
                                r.duplicated(),
                                r.finalsOk(),
                                r.tracks(),
                                r.recoverySeconds(),
                                r.unplannedExits() > 0 ? ", " + r.unplannedExits() + " unplanned exit(s)" : "",
                                r.problem() == null ? "" : "; FAILED: " + r.problem()));
                    }
                }
            }
        }
        return runs;
    }

    private Run runOnce(Rig rig, Ledger ledger, Fault fault, int run, Random random) throws InterruptedException {
        int exitsBefore = rig.unplannedExits();
        String runId = "chaos-" + fault.name() + "-" + run + "-" + Long.toHexString(random.nextLong() & 0xffffffL);
        Workload workload = new Workload(rig.bootstrap(), runId, 4);
        Fault.Outcome outcome;
        try {
            Thread.sleep(1_500 + random.nextInt(2_500)); // a random point of the run's batches
            rig.restartExited();
            outcome = fault.inject(rig, random, run);
            Thread.sleep(3_000); // input keeps coming after the fault: processing has to resume for the run to end
        } finally {
            workload.close();
        }
        Set<Ledger.Key> sent = workload.sentFaces();
        Set<String> cameras = new HashSet<>(workload.frameCameras());
        int tracks = workload.sentTracks();
        long until = System.currentTimeMillis() + settings.drainTimeout().toMillis();
        while (System.currentTimeMillis() < until) {
            ledger.checkRunning();
            rig.restartExited();
            if (ledger.faces(cameras).keySet().containsAll(sent)
                    && ledger.finals(workload.trackCamera()).size() >= tracks) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(3_000); // a duplicate, or a zombie's late commit, would be visible by now
        Ledger.Tally tally = ledger.tally(sent, cameras, workload.trackCamera(), tracks);
        int lost = tally.lost();
        int duplicated = tally.duplicated();
        int finalsOk = tally.finalsOk();
        java.util.SortedSet<String> examples = tally.examples();

        // recovery: until the output of input sent after the fault began arrived, for every camera of the run
        long worst = 0;
        boolean recovered = true;
        long from = outcome.recoverFromMs();
        long firstSeq = workload.firstFrameSince(outcome.faultAtMs());
        long firstTrack = workload.firstTrackSince(outcome.faultAtMs());
        List<Long> firsts = new ArrayList<>();
        for (String camera : workload.frameCameras()) {
            firsts.add(firstSeq < 0 ? -1 : ledger.firstFaceArrival(camera, firstSeq));
        }
        firsts.add(firstTrack < 0 ? -1 : ledger.firstFinalArrival(workload.trackCamera(), firstTrack));
        for (long first : firsts) {
            if (first < 0) {
                recovered = false;
            } else {
                worst = Math.max(worst, first - from);
            }
        }
        String problem = outcome.problem();
        if (!examples.isEmpty()) {
            problem = join(problem, "observations (camera/seq/face x committed records), first few: " + examples);
        }
        if (!recovered) {
            problem = join(
                    problem,
                    "a camera's output did not resume within "
                            + settings.drainTimeout().toSeconds() + " s");
        }
        double recovery = recovered ? worst / 1000.0 : settings.drainTimeout().toSeconds();
        if (fault instanceof BrokerDown && recovery > BrokerDown.RESUME_LIMIT.toSeconds()) {
            problem = join(
                    problem,
                    String.format(
                            "processing resumed %.1f s after the broker's return (limit %d s)",
                            recovery, BrokerDown.RESUME_LIMIT.toSeconds()));
        }
        fault.after(rig);
        int recordsIn = sent.size() + workload.trackFacesSent();
        return new Run(
                fault.name(),
                run,
                outcome.what(),
                recordsIn,
                lost,
                duplicated,
                tracks,
                finalsOk,
                recovery,
                rig.unplannedExits() - exitsBefore,
                problem);
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    /** The summary table: one row per fault kind. */
    public static Table summary(List<Run> runs, Settings settings, String command) {
        Table t = new Table(
                "chaos: fault injection with real processes (" + runs.size() + " runs, seed " + settings.seed() + ")",
                "fault",
                "runs",
                "records in",
                "lost",
                "duplicated",
                "FINALs per track ok",
                "max recovery s",
                "unplanned exits",
                "passed");
        for (String f : new java.util.LinkedHashSet<>(settings.faults())) {
            List<Run> of = runs.stream().filter(r -> r.fault().equals(f)).toList();
            if (of.isEmpty()) {
                continue;
            }
            t.row(
                    f,
                    of.size(),
                    of.stream().mapToInt(Run::recordsIn).sum(),
                    of.stream().mapToInt(Run::lost).sum(),
                    of.stream().mapToInt(Run::duplicated).sum(),
                    of.stream().mapToInt(Run::finalsOk).sum() + "/"
                            + of.stream().mapToInt(Run::tracks).sum(),
                    of.stream().mapToDouble(Run::recoverySeconds).max().orElse(0),
                    of.stream().mapToInt(Run::unplannedExits).sum(),
                    of.stream().allMatch(Run::passed) ? "yes" : "NO");
        }
        t.note("command", command);
        t.note(
                "recovery",
                "until every camera of the run has committed output of input sent after the fault began; "
                        + "measured from the fault (process faults) or from the broker's return (broker faults)");
        t.note("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version());
        return t;
    }

    /** Every run, for the JSON and for a failure's details. */
    public static Table details(List<Run> runs) {
        Table t = new Table(
                "chaos: runs",
                "fault",
                "run",
                "what",
                "records in",
                "lost",
                "duplicated",
                "tracks",
                "FINALs ok",
                "recovery s",
                "unplanned exits",
                "problem");
        for (Run r : runs) {
            t.row(
                    r.fault(),
                    r.run(),
                    r.what(),
                    r.recordsIn(),
                    r.lost(),
                    r.duplicated(),
                    r.tracks(),
                    r.finalsOk(),
                    r.recoverySeconds(),
                    r.unplannedExits(),
                    r.problem());
        }
        return t;
    }
}
