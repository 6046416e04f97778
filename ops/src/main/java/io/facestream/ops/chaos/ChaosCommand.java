package io.facestream.ops.chaos;

import io.facestream.core.files.FileTrees;
import io.facestream.ops.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream chaos}: the fault-injection campaign ({@link Campaign}) with real processes and the real broker.
 * Prints a table per fault kind and exits 1 if any run lost or duplicated an observation or a FINAL decision, or a
 * fault's own check failed.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = {
            "Fault injection with real processes: a broker, two embed instances and a match service, each its own JVM, "
                    + "killed, stopped, paused and bounced, and the match service's disk filled, while frames and faces flow; every run must lose and duplicate nothing "
                    + "(camera, seq, face index) and give exactly one FINAL per track.",
            "Exit 0 when every run passed, 1 otherwise. Logs of every process stay in --work."
        })
public final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--kills", paramLabel = "N", description = "runs (faults injected) per fault kind (default: 5)")
    int kills = 5;

    @Option(
            names = "--faults",
            paramLabel = "LIST",
            split = ",",
            description =
                    "fault kinds, in order (default: all): embed-kill, match-kill, broker-bounce, broker-down, embed-pause, "
                            + "disk-full")
    List<String> faults = Fault.NAMES;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "random seed for when and whom to hit (default: random, printed)")
    Long seed;

    @Option(
            names = "--broker-down",
            paramLabel = "DURATION",
            description = "how long broker-down keeps the broker away (default: 20s)")
    String brokerDown = "20s";

    @Option(
            names = "--session-timeout",
            paramLabel = "DURATION",
            description =
                    "the services' consumer session timeout; embed-pause stops an instance for longer (default: 6s)")
    String sessionTimeout = "6s";

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            description = "how long a run may take to come out complete after its input stopped (default: 120s)")
    String drainTimeout = "120s";

    @Option(
            names = "--broker-stop",
            paramLabel = "MODE",
            description =
                    "how broker-bounce and broker-down stop the broker: alternate (SIGKILL on odd runs, SIGTERM on "
                            + "even ones), clean (SIGTERM) or kill (SIGKILL) (default: alternate)")
    String brokerStop = "alternate";

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "work directory: broker data, service state, logs (default: a new "
                    + "temporary directory, deleted when every run passed)")
    Path work;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        long s = seed == null ? new java.security.SecureRandom().nextLong() : seed;
        Duration down = duration(brokerDown, "--broker-down");
        Duration session = duration(sessionTimeout, "--session-timeout");
        Duration drain = duration(drainTimeout, "--drain-timeout");
        BrokerStop stop = BrokerStop.parse(brokerStop);
        new Campaign.Settings(
                faults, kills, s, down, session, drain, Path.of("."), stop); // bad options fail before anything is made
        Path dir = work;
        if (dir == null) {
            dir = Files.createTempDirectory("facestream-chaos-");
        } else {
            Files.createDirectories(dir);
        }
        Campaign.Settings settings =
                new Campaign.Settings(faults, kills, s, down, session, drain, dir.toAbsolutePath(), stop);
        String command = "facestream chaos --kills " + kills + " --faults " + String.join(",", faults) + " --seed " + s
                + " --broker-down " + brokerDown + " --session-timeout " + sessionTimeout + " --broker-stop "
                + stop.name().toLowerCase(java.util.Locale.ROOT);
        List<Campaign.Run> runs = new Campaign(settings, line -> {
                    System.out.println(line);
                    System.out.flush();
                })
                .run();
        Table summary = Campaign.summary(runs, settings, command);
        Table details = Campaign.details(runs);
        summary.print(System.out);
        Table.writeJson(json, List.of(summary, details));
        boolean passed = runs.stream().allMatch(Campaign.Run::passed);
        if (!passed) {
            details.print(System.out);
            System.out.println("chaos: FAILED; the processes' logs are in " + dir);
            return 1;
        }
        if (work == null) {
            deleteQuietly(dir);
        }
        return 0;
    }

    private static Duration duration(String text, String option) {
        try {
            return io.facestream.core.config.FacestreamConfig.parseDuration(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    option + ": '" + text + "' is not a duration; write e.g. 20s, 500ms or 2m");
        }
    }

    private static void deleteQuietly(Path dir) {
        FileTrees.deleteLeftover(dir);
    }
}
