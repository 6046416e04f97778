package io.facestream.eval.ijbs;

import io.facestream.core.json.Json;
import io.facestream.eval.ijbs.protocol.IjbsProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an IJB-S run produced: the three protocols, how the faces were used, and norm samples for the plot.
 *
 * @param source         what the faces came from
 * @param facesRead      faces the source delivered
 * @param facesUnused    faces that belong to no protocol template (frames of other videos, stills of no gallery)
 * @param normSamples    a deterministic sample of (face size, norm) of video faces whose size is known; empty when
 *                       no size is known
 * @param normVsSize     Spearman's ρ between raw norm and face size over all video faces of known size (not only
 *                       the plotted sample)
 */
public record IjbsReport(
        String source,
        ProtocolOutcome surToSingle,
        ProtocolOutcome surToBook,
        ProtocolOutcome surToSur,
        long facesRead,
        long facesUnused,
        List<NormSample> normSamples,
        NormSizeCorrelation normVsSize) {
    public IjbsReport {
        normSamples = List.copyOf(normSamples);
    }

    public List<ProtocolOutcome> protocols() {
        return List.of(surToSingle, surToBook, surToSur);
    }

    public ProtocolOutcome outcome(IjbsProtocol protocol) {
        return switch (protocol) {
            case SUR_TO_SINGLE -> surToSingle;
            case SUR_TO_BOOK -> surToBook;
            case SUR_TO_SUR -> surToSur;
        };
    }

    public IjbsScores scores() {
        return new IjbsScores(
                surToSingle.result().metrics(),
                surToBook.result().metrics(),
                surToSur.result().metrics(),
                normVsSize.defined() ? normVsSize : null);
    }

    /** Writes {@link #scores()} as pretty JSON. */
    public void writeJson(Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), scores());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
