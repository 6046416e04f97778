package io.facestream.eval.ijbs.protocol;

import java.nio.file.Path;
import java.util.List;

/**
 * A parsed IJB-S protocol folder: the two probe sets, the three gallery pairs and (optionally) face sizes.
 * Sur-to-Single and Sur-to-Book share the surveillance-to-still probes (adaface.md §5c).
 */
public record IjbsProtocolFolder(
        Path folder,
        List<Template> surveillanceToStillProbes,
        List<Template> surveillanceToSurveillanceProbes,
        GalleryPair single,
        GalleryPair booking,
        GalleryPair surveillance,
        FaceSizes faceSizes) {
    public IjbsProtocolFolder {
        surveillanceToStillProbes = List.copyOf(surveillanceToStillProbes);
        surveillanceToSurveillanceProbes = List.copyOf(surveillanceToSurveillanceProbes);
    }

    public List<Template> probes(IjbsProtocol protocol) {
        return protocol == IjbsProtocol.SUR_TO_SUR ? surveillanceToSurveillanceProbes : surveillanceToStillProbes;
    }

    public GalleryPair galleries(IjbsProtocol protocol) {
        return switch (protocol) {
            case SUR_TO_SINGLE -> single;
            case SUR_TO_BOOK -> booking;
            case SUR_TO_SUR -> surveillance;
        };
    }
}
