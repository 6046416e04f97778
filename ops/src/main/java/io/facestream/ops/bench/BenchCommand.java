package io.facestream.ops.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream bench <what>}: each benchmark prints a table and writes it as JSON with {@code --json FILE}. */
@Command(
        name = "bench",
        description = "Benchmarks: each prints a table; --json FILE writes it as JSON.",
        subcommands = {
            IngestBenchCommand.class,
            EmbedBenchCommand.class,
            GalleryBenchCommand.class,
            PipelineBenchCommand.class,
            E2eBenchCommand.class,
            EvalBenchCommand.class,
            TrainBenchCommand.class,
            CamerasBenchCommand.class,
            ScaleBenchCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
