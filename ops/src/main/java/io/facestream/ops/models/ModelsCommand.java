package io.facestream.ops.models;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream models}: the model store and zoo. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Install, list and release face models (the model store and zoo); release signing keys.",
        subcommands = {PullCommand.class, ListCommand.class, KeygenCommand.class, ReleaseCommand.class})
public final class ModelsCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
