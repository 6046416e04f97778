package io.facestream.ops;

import io.facestream.ops.audit.AuditCommand;
import io.facestream.ops.bench.BenchCommand;
import io.facestream.ops.chaos.ChaosCommand;
import io.facestream.ops.demo.DemoCommand;
import io.facestream.ops.embed.EmbedCommand;
import io.facestream.ops.erasure.ErasureCommand;
import io.facestream.ops.eval.EvalCommand;
import io.facestream.ops.faces.CompareCommand;
import io.facestream.ops.faces.DetectCommand;
import io.facestream.ops.ingest.IngestCommand;
import io.facestream.ops.kafka.KafkaCommand;
import io.facestream.ops.kafka.TopicsCommand;
import io.facestream.ops.kafka.UpCommand;
import io.facestream.ops.match.MatchCommand;
import io.facestream.ops.models.ModelsCommand;
import io.facestream.ops.quality.QualityCommand;
import io.facestream.ops.status.StatusCommand;
import io.facestream.ops.synth.SynthCommand;
import io.facestream.ops.train.TrainCommand;
import io.facestream.ops.train.TrainerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code facestream} command line. Each subcommand is a small class in the package of its feature; this class
 * only lists them, in the order a newcomer meets them: run the system, then its services, then the tools.
 */
@Command(
        name = "facestream",
        mixinStandardHelpOptions = true,
        versionProvider = FacestreamCli.Version.class,
        description = "Event-driven face matching for surveillance video.",
        subcommands = {
            DemoCommand.class,
            UpCommand.class,
            KafkaCommand.class,
            TopicsCommand.class,
            IngestCommand.class,
            EmbedCommand.class,
            MatchCommand.class,
            ModelsCommand.class,
            DetectCommand.class,
            CompareCommand.class,
            QualityCommand.class,
            SynthCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            TrainerCommand.class,
            BenchCommand.class,
            ChaosCommand.class,
            AuditCommand.class,
            ErasureCommand.class,
            StatusCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class FacestreamCli implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new FacestreamCli());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // A user error or a failure outside the code is one clear line; a bug (IllegalStateException included)
            // keeps its stack trace.
            if (ex instanceof IllegalArgumentException
                    || ex instanceof io.facestream.ops.cli.CommandFailed
                    || ex instanceof io.facestream.core.config.ConfigException
                    || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("facestream " + cmd.getCommandName() + ": " + ex.getMessage());
            } else {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FacestreamCli.class.getPackage().getImplementationVersion();
            return new String[] {"facestream " + (v == null ? "dev" : v)};
        }
    }
}
