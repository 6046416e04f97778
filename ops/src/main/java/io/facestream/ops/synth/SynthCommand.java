package io.facestream.ops.synth;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream synth <format>}: synthetic benchmark data. */
@Command(
        name = "synth",
        description = "Generate synthetic benchmark data sets.",
        subcommands = {
            IjbsSynthCommand.class,
            AlignedFacesCommand.class,
            io.facestream.ops.synth.check.SynthCheckCommand.class
        })
public final class SynthCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
