package io.facestream.ops.audit;

import io.facestream.match.api.audit.AuditChain;
import io.facestream.ops.cli.CommandFailed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code facestream audit verify FILE [--head HASH]}: walks the hash chain of an audit log. Exit 0 and one line with
 * the number of records and the head when intact; otherwise exit 1 naming the first line that was edited, removed or
 * put out of order.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Check an audit log's hash chain: exit 0 if intact, 1 naming the first edited, removed or reordered line.",
            "With --head, also that the file ends at that hash (the head the service logged, or a copy kept elsewhere): "
                    + "lines cut off the end are found too."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the audit log (api.audit-log, default ~/.facestream/audit.log)")
    Path file;

    @Option(names = "--head", paramLabel = "HASH", description = "the hash the last line must have")
    String head;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new CommandFailed(file + " is not a file");
        }
        AuditChain.Report r;
        try {
            r = AuditChain.verify(file, head);
        } catch (IOException e) {
            throw new CommandFailed("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (r.intact()) {
            System.out.println(file + ": " + r.lines() + " records, chain intact; head " + r.head());
            return 0;
        }
        System.err.println(file + ": line " + r.line() + ": " + r.problem());
        return 1;
    }
}
