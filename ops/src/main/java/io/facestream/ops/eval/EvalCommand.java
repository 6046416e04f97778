package io.facestream.ops.eval;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream eval <protocol>}: score a face model on an evaluation protocol and print the result table. */
@Command(
        name = "eval",
        description = "Evaluate on IJB-S or TinyFace (AdaFace protocol definitions).",
        subcommands = {IjbsEvalCommand.class, IjbsSynthEvalCommand.class, TinyFaceEvalCommand.class})
public final class EvalCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
