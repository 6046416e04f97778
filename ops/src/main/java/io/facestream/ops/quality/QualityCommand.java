package io.facestream.ops.quality;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream quality ...}: tools for the feature-norm quality filter. */
@Command(name = "quality", description = "Feature-norm quality filter tools.", subcommands = CalibrateCommand.class)
public final class QualityCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
