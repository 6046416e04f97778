package io.facestream.ops.erasure;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream erasure verify --subject ID [--gallery G] [--crop-sha256 H,...] [--json FILE]}: scans every
 * facestream topic (each record still in the log: keys, headers, values), the gallery replica (Lucene documents, deleted
 * ones too, and terms; crop store; index files), the match state directory, the upload directory and the audit log for
 * the subject id and for the SHA-256 of the subject's enrolled crops and photos. The hashes come from the audit log's
 * enrolment lines (the API records them there) and from {@code --crop-sha256}. Exit 0 only with zero traces.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Look for what is left of a subject in every topic, the gallery index, match state, uploads and the audit log.",
            "Exit 0 with zero traces, 1 with traces (the table says where). Run it on each host with a gallery replica "
                    + "or match service (the directories are this host's: gallery.index-dir, match.state-dir, api.upload-dir, api.audit-log)."
        })
public final class ErasureVerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--subject", required = true, paramLabel = "ID", description = "the subject id")
    String subject;

    @Option(
            names = "--gallery",
            paramLabel = "G",
            description = "the subject's gallery (default: the id in any gallery)")
    String gallery;

    @Option(
            names = "--crop-sha256",
            split = ",",
            paramLabel = "HEX",
            description =
                    "SHA-256 of the subject's crops or photos, besides those the audit log's enrolment lines hold")
    List<String> hashes = new ArrayList<>();

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap)")
    String bootstrap;

    @Option(names = "--no-kafka", description = "skip the topics (files of this host only)")
    boolean noKafka;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON")
    Path json;

    @Override
    public Integer call() {
        FacestreamConfig config = options.load("kafka.bootstrap", bootstrap);
        Path audit = config.getPath("api.audit-log");
        Set<String> sha = new TreeSet<>();
        for (String h : hashes) {
            if (!h.trim().matches("(?i)[0-9a-f]{64}")) {
                throw new CommandFailed("--crop-sha256 " + h + " is not a SHA-256 (64 hex digits)");
            }
            sha.add(h.trim().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            sha.addAll(ErasureScan.hashesFromAudit(audit, subject, gallery));
        } catch (IOException e) {
            throw new CommandFailed(
                    "cannot read the audit log " + audit + " for the enrolment hashes: " + e.getMessage(), e);
        }
        KafkaConnection kafka = noKafka ? null : KafkaConnection.fromConfig(config, BrokerAddress.of(config));
        ErasureScan.Report report;
        try {
            report = ErasureScan.scan(
                    new ErasureScan.Target(subject, gallery, sha),
                    new ErasureScan.Stores(
                            kafka,
                            config.getPath("gallery.index-dir"),
                            config.getPath("match.state-dir"),
                            config.getPath("api.upload-dir"),
                            audit));
        } catch (IllegalStateException e) {
            throw new CommandFailed(e.getMessage(), e);
        }
        Table t = table(report);
        t.print(System.out);
        if (sha.isEmpty()) {
            System.out.println("warning: no crop or photo hashes known (no enrolment line in " + audit
                    + ", no --crop-sha256): only the subject id was looked for");
        }
        System.out.println(
                report.traces() == 0
                        ? "no traces of " + who(report) + " (" + report.retained()
                                + " kept on purpose: see docs/privacy.md)"
                        : report.traces() + " trace(s) of " + who(report) + " left: see the table");
        if (json != null) {
            write(report);
        }
        return report.traces() == 0 ? 0 : 1;
    }

    private static String who(ErasureScan.Report r) {
        return "subject " + (r.gallery() == null ? "" : r.gallery() + "/") + r.subjectId();
    }

    static Table table(ErasureScan.Report r) {
        Table t = new Table(
                "erasure verify: " + who(r) + ", " + r.hashes() + " crop/photo hashes",
                "store",
                "location",
                "scanned",
                "traces",
                "kept",
                "examples");
        for (ErasureScan.Location l : r.locations()) {
            t.row(l.store(), l.location(), l.status(), l.traces(), l.retained(), String.join("; ", l.examples()));
        }
        t.note("traces", r.traces());
        t.note("kept on purpose", r.retained());
        return t;
    }

    private void write(ErasureScan.Report r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subject_id", r.subjectId());
        out.put("gallery", r.gallery());
        out.put("hashes", r.hashes());
        out.put("traces", r.traces());
        out.put("retained", r.retained());
        out.put("locations", r.locations());
        try {
            if (json.toAbsolutePath().getParent() != null) {
                Files.createDirectories(json.toAbsolutePath().getParent());
            }
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), out);
        } catch (IOException e) {
            throw new CommandFailed("cannot write " + json + ": " + e.getMessage(), e);
        }
    }
}
