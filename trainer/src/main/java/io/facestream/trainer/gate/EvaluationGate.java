package io.facestream.trainer.gate;

import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.eval.Progress;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.IjbsReport;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decides whether a fine-tuned candidate may replace the current model: both are scored on the same held-out data
 * (verification pairs of unseen identities and, when given, an IJB-S-format protocol) and the candidate passes only
 * if none of its metrics is worse by more than the policy's margin. The gate never installs or releases anything.
 */
public final class EvaluationGate {
    private final HeldOutFaces faces;
    private final HeldOutProtocol protocol;
    private final GatePolicy policy;
    private final Function<ModelStore.InstalledModel, FaceEmbedder> embedders;
    private final Consumer<String> log;

    /**
     * @param protocol  null to gate on verification only
     * @param embedders opens an embedder for a model (the gate closes it)
     */
    public EvaluationGate(
            HeldOutFaces faces,
            HeldOutProtocol protocol,
            GatePolicy policy,
            Function<ModelStore.InstalledModel, FaceEmbedder> embedders,
            Consumer<String> log) {
        this.faces = faces;
        this.protocol = protocol;
        this.policy = policy;
        this.embedders = embedders;
        this.log = log;
    }

    /** @throws NonFiniteModelException when a weight of the candidate is NaN or Inf (it is not scored at all) */
    public GateVerdict judge(ModelStore.InstalledModel current, ModelStore.InstalledModel candidate) {
        NonFiniteModelException.check(candidate);
        if (current.manifest().embedding().size()
                != candidate.manifest().embedding().size()) {
            throw new IllegalArgumentException(
                    "candidate " + candidate.manifest().id() + " has "
                            + candidate.manifest().embedding().size() + "-d features, the current "
                            + current.manifest().id() + " "
                            + current.manifest().embedding().size() + "-d");
        }
        VerificationPairs pairs = VerificationPairs.of(faces.facesByIdentity(), policy.maxPairs(), policy.seed());
        log.accept(String.format(
                Locale.ROOT,
                "gate: %d held-out faces of %d identities, %d genuine + %d impostor pairs%s",
                faces.faces(),
                faces.facesByIdentity().size(),
                pairs.genuine(),
                pairs.impostor(),
                protocol == null
                        ? ""
                        : ", IJB-S protocol " + protocol.protocol().folder()));
        ModelScores c = score(current, pairs);
        ModelScores n = score(candidate, pairs);
        GateVerdict verdict = GateVerdict.of(c, n, policy.margin());
        for (GateVerdict.Comparison x : verdict.comparisons()) {
            log.accept(String.format(
                    Locale.ROOT,
                    "gate: %-28s current %.4f candidate %.4f (%+.4f)%s",
                    x.metric(),
                    x.current(),
                    x.candidate(),
                    x.delta(),
                    x.passed() ? "" : "  WORSE"));
        }
        log.accept("gate: " + verdict.summary());
        return verdict;
    }

    /** Scores one model on the held-out data (also used for reports that compare several models). */
    public ModelScores score(ModelStore.InstalledModel model) {
        return score(model, VerificationPairs.of(faces.facesByIdentity(), policy.maxPairs(), policy.seed()));
    }

    private ModelScores score(ModelStore.InstalledModel model, VerificationPairs pairs) {
        String id = model.manifest().id();
        try (FaceEmbedder embedder = embedders.apply(model)) {
            long t0 = System.nanoTime();
            Map<String, float[]> features = faces.embed(embedder);
            VerificationResult v = VerificationResult.of(pairs, features, policy.far());
            IjbsReport ijbs = null;
            if (protocol != null) {
                FeatureSource source = protocol.features().apply(embedder);
                ijbs = new IjbsEvaluation(protocol.protocol()).evaluate(source, Progress.silent());
            }
            log.accept(String.format(Locale.ROOT, "gate: scored %s in %.1f s", id, (System.nanoTime() - t0) / 1e9));
            return new ModelScores(id, v, ijbs);
        }
    }
}
