package io.facestream.ops.audit;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facestream audit}: the match service's audit log. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Check the API's audit log (api.audit-log).",
        subcommands = {VerifyCommand.class})
public final class AuditCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
