package io.facestream.ops.erasure;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream erasure}: checks that a deleted subject is gone (docs/privacy.md). */
@Command(
        name = "erasure",
        mixinStandardHelpOptions = true,
        description = "Check that a deleted subject left no trace (docs/privacy.md).",
        subcommands = {ErasureVerifyCommand.class})
public final class ErasureCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
