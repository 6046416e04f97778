package io.facestream.eval.ijbs;

import io.facestream.eval.ijbs.metrics.IdentificationResult;
import io.facestream.eval.ijbs.protocol.IjbsProtocol;

/**
 * The result of one IJB-S protocol with the counts a reader needs to trust it: how many probe and gallery templates
 * had no face at all (zero vectors, scored exactly 0, as the reference does).
 */
public record ProtocolOutcome(
        IjbsProtocol protocol, IdentificationResult result, int emptyProbeTemplates, int emptyGalleryTemplates) {}
