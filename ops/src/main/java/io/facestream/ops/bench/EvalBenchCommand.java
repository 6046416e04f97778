package io.facestream.ops.bench;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.eval.footage.FeatureAgreement;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.FootageSources;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.ModeRun;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.eval.report.ProgressLine;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench eval}: IJB-S evaluation throughput (faces/s) of offline mode (decode, align, embed
 * directly) and streaming mode (replay through Kafka and the embed service) on the same footage, in one run, with
 * how closely their features and metrics agree.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "IJB-S evaluation throughput, offline vs streaming, on the same synthetic footage.")
public final class EvalBenchCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "A data set of `facestream synth ijbs` (default: generate one, cached in ~/.facestream/bench)")
    Path data;

    @Option(
            names = "--subjects",
            paramLabel = "N",
            defaultValue = "20",
            description = "Generated set: subjects (default: ${DEFAULT-VALUE})")
    int subjects;

    @Option(
            names = "--videos",
            paramLabel = "N",
            defaultValue = "12",
            description = "Generated set: videos of 100 frames at 640x480 (default: ${DEFAULT-VALUE})")
    int videos;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka for streaming mode (default: a temporary in-process broker)")
    String bootstrap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        Path set = data != null ? data : generated();
        FacestreamConfig config = options.load();
        IjbsProtocolFolder protocol = IjbsProtocolReader.read(set);
        Footage footage = new Footage(set, GroundTruth.read(set));
        ModeRun offline = ModeRun.offline(protocol, footage, config, new ProgressLine(System.err, "offline"));
        ModeRun streaming = ModeRun.streaming(
                protocol,
                footage,
                config,
                bootstrap,
                FootageSources.REPLAY_JPEG_QUALITY,
                new ProgressLine(System.err, "streaming"));
        FeatureAgreement a = FeatureAgreement.of(
                offline.faces().features(), streaming.faces().features(), offline.report(), streaming.report());

        Table t = new Table(
                "IJB-S evaluation throughput on " + set,
                "mode",
                "faces",
                "seconds",
                "faces/s",
                "Sur-to-Single R1 %",
                "Sur-to-Book R1 %",
                "Sur-to-Sur R1 %");
        for (ModeRun r : List.of(offline, streaming)) {
            t.row(
                    r.mode(),
                    r.faces().features().size(),
                    fixed(r.seconds(), 1),
                    fixed(r.facesPerSecond(), 0),
                    fixed(100 * r.report().surToSingle().result().rank(1), 2),
                    fixed(100 * r.report().surToBook().result().rank(1), 2),
                    fixed(100 * r.report().surToSur().result().rank(1), 2));
        }
        t.note("streaming / offline", fixed(streaming.facesPerSecond() / offline.facesPerSecond(), 2))
                .note(
                        "per-face cosine offline vs streaming (min / mean)",
                        fixed(a.minCosine(), 4) + " / " + fixed(a.meanCosine(), 4))
                .note("largest metric difference (points)", fixed(100 * a.maxMetricDiff(), 2))
                .note(
                        "embedder",
                        config.getString("face.embedder") + ", device " + config.getString("face.device")
                                + ", intra-op threads " + config.getInt("face.intra-op-threads") + ", batch "
                                + config.getInt("face.batch-size"))
                .note(
                        "streaming",
                        "embedded broker and embed service in this JVM, frames JPEG q"
                                + FootageSources.REPLAY_JPEG_QUALITY
                                + (bootstrap == null ? "" : ", broker " + bootstrap))
                .note("cpus", Runtime.getRuntime().availableProcessors());
        t.print(System.out);
        Table.writeJson(json, List.of(t));
        return 0;
    }

    /** The default footage: a small synthetic set, generated once per size. */
    private Path generated() {
        Path dir = FacestreamPaths.of(options.load()).cache("bench").resolve("ijbs-synth-s" + subjects + "-v" + videos);
        if (!Files.isRegularFile(dir.resolve("synth.json"))) {
            int rc = FacestreamCli.run(
                    "synth",
                    "ijbs",
                    "--out",
                    dir.toString(),
                    "--subjects",
                    Integer.toString(subjects),
                    "--videos",
                    Integer.toString(videos),
                    "--frames-per-video",
                    "100",
                    "--seed",
                    "1");
            if (rc != 0) {
                throw new CommandFailed("generating the benchmark footage in " + dir + " failed (exit " + rc + ")");
            }
        }
        return dir;
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
