package io.facestream.ops.bench;

import io.facestream.core.files.FileTrees;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.chaos.ScaleBench;
import io.facestream.ops.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench scale}: embed throughput through one embed process against two in one consumer group, each
 * its own JVM on one broker ({@link ScaleBench}); the ratio two/one says how much a second instance adds on this
 * machine. Exits 1 if a measurement lost or duplicated a face.
 */
@Command(
        name = "scale",
        mixinStandardHelpOptions = true,
        description = {
            "Scale-out: frames/s and faces/s through one embed process vs two in one group (real processes, one broker, "
                    + "given faces so no detector runs), interleaved over rounds; ratio two/one with the machine's cores.",
            "Exit 0 when no measurement lost or duplicated a face, 1 otherwise."
        })
public final class ScaleBenchCommand implements Callable<Integer> {
    @Option(names = "--seconds", paramLabel = "N", description = "counting window per measurement (default: 20)")
    int seconds = 20;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "seconds before each window, after the instances share the partitions (default: 8)")
    int warmup = 8;

    @Option(names = "--rounds", paramLabel = "N", description = "measurements per instance count (default: 3)")
    int rounds = 3;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "work directory: broker data, embed state, logs (default: a new temporary directory, "
                    + "deleted after a clean run)")
    Path work;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        new ScaleBench.Settings(
                Duration.ofSeconds(seconds),
                Duration.ofSeconds(warmup),
                rounds,
                Path.of(".")); // bad options fail before anything starts
        ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet"); // fetched once here, not by each instance
        Path dir = work == null ? Files.createTempDirectory("facestream-scale-") : Files.createDirectories(work);
        ScaleBench.Settings settings = new ScaleBench.Settings(
                Duration.ofSeconds(seconds), Duration.ofSeconds(warmup), rounds, dir.toAbsolutePath());
        List<ScaleBench.Measurement> runs = new ScaleBench(settings, line -> {
                    System.out.println(line);
                    System.out.flush();
                })
                .run();
        Table table = ScaleBench.table(
                runs,
                settings,
                "facestream bench scale --seconds " + seconds + " --warmup " + warmup + " --rounds " + rounds);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
        boolean clean = runs.stream().allMatch(m -> m.lost() == 0 && m.duplicated() == 0);
        if (!clean) {
            System.out.println("bench scale: a measurement lost or duplicated faces; the logs are in " + dir);
            return 1;
        }
        if (work == null) {
            FileTrees.deleteLeftover(dir);
        }
        return 0;
    }
}
