package io.facestream.eval.footage;

import io.facestream.eval.Progress;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;

/**
 * One timed evaluation of footage in one mode: the report, every face's feature (for comparing modes) and the
 * wall-clock time of decoding, embedding and scoring together (a broker's start-up is not included; the in-process
 * embed service's is).
 */
public record ModeRun(String mode, IjbsReport report, RecordingSource faces, double seconds) {

    public static ModeRun offline(
            IjbsProtocolFolder protocol,
            Footage footage,
            io.facestream.core.config.FacestreamConfig config,
            Progress progress) {
        try (FootageSources.Opened opened = FootageSources.offline(footage, config)) {
            return run("offline", protocol, opened, progress);
        }
    }

    /** @param bootstrap a running broker, or null for a temporary in-process one */
    public static ModeRun streaming(
            IjbsProtocolFolder protocol,
            Footage footage,
            io.facestream.core.config.FacestreamConfig config,
            String bootstrap,
            int jpegQuality,
            Progress progress) {
        try (FootageSources.Opened opened = FootageSources.streaming(footage, config, bootstrap, jpegQuality)) {
            return run("streaming", protocol, opened, progress);
        }
    }

    private static ModeRun run(
            String mode, IjbsProtocolFolder protocol, FootageSources.Opened opened, Progress progress) {
        RecordingSource faces = new RecordingSource(opened.source());
        long t0 = System.nanoTime();
        IjbsReport report = new IjbsEvaluation(protocol).evaluate(faces, progress);
        return new ModeRun(mode, report, faces, (System.nanoTime() - t0) / 1e9);
    }

    public double facesPerSecond() {
        return faces.features().size() / seconds;
    }
}
