package io.facestream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.Integration;
import io.facestream.embed.model.zoo.ModelZoo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short fault-injection campaign CI runs ({@code facestream chaos} runs longer ones): every fault kind injected
 * into real processes (broker, two embed instances, match service) with short timeouts; every run must lose and
 * duplicate nothing and give exactly one FINAL per track, and the broker-down run must see every service not ready.
 */
@Integration
class ChaosCampaignTest {
    private static final int RUNS = 1;

    @Test
    void everyFaultKindLosesAndDuplicatesNothing() throws Exception {
        // under target/, not a temporary directory: a failed run's process logs stay there to be read
        Path dir = Path.of("target", "chaos-campaign-" + System.currentTimeMillis())
                .toAbsolutePath();
        ModelZoo.ensure(ModelZoo.defaultStore(), "mtcnn"); // pulled here, not inside a child's start-up
        ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        List<String> lines = new ArrayList<>();
        Campaign.Settings settings = new Campaign.Settings(
                Fault.NAMES,
                RUNS,
                20261203L,
                Duration.ofSeconds(8),
                Duration.ofSeconds(6),
                Duration.ofSeconds(90),
                dir,
                // SIGTERM for the broker faults: a broker killed during a commit can complete the transaction on one
                // partition and not on another (Kafka 4.3.1's recovery, BrokerStop), which no service can undo; the
                // kill -9 runs are the chaos command's (docs/reliability.md)
                BrokerStop.CLEAN);
        List<Campaign.Run> runs = new Campaign(settings, line -> {
                    lines.add(line);
                    System.out.println(line);
                })
                .run();

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Campaign.details(runs).print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Fault.NAMES.size() * RUNS, runs.size(), "one run per fault kind and count:\n" + text);
        for (Campaign.Run r : runs) {
            assertTrue(r.recordsIn() > 50, "the run's workload went in while the fault happened:\n" + text);
            assertTrue(r.tracks() > 3, "tracks went in during the run:\n" + text);
            assertTrue(
                    r.passed(),
                    r.fault() + " run " + r.run() + " failed:\n" + text + "\nprogress:\n" + String.join("\n", lines)
                            + "\nthe processes' logs are in " + dir);
        }
        io.facestream.core.files.FileTrees.delete(dir);
    }
}
