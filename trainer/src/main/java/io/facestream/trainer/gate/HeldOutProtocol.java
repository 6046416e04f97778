package io.facestream.trainer.gate;

import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import java.util.function.Function;

/**
 * A held-out IJB-S-format protocol and how to compute its features with a given embedder. The features come from
 * the caller because decoding footage is the evaluation front end's job (the trainer cycle wires the evaluation
 * module's offline footage source here); the gate only decides which embedder is used and scores both models with
 * the same evaluator.
 */
public record HeldOutProtocol(IjbsProtocolFolder protocol, Function<FaceEmbedder, FeatureSource> features) {}
