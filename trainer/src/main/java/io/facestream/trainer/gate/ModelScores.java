package io.facestream.trainer.gate;

import io.facestream.eval.ijbs.IjbsReport;
import io.facestream.eval.ijbs.ProtocolOutcome;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one model scored on the held-out data: verification always, IJB-S when the gate has a protocol (else null).
 * {@link #metrics()} flattens both into named numbers where higher is better, the form the gate compares.
 */
public record ModelScores(String model, VerificationResult verification, IjbsReport ijbs) {
    /** FPIR at which open-set TPIR is compared (the IJB-S headline point). */
    public static final double TPIR_FPIR = 0.01;

    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("verification_accuracy", verification.accuracy());
        m.put(String.format(Locale.ROOT, "tar_at_far_%s", trim(verification.far())), verification.tar());
        if (ijbs != null) {
            for (ProtocolOutcome o : ijbs.protocols()) {
                if (o.result().matedProbes() > 0) {
                    m.put(o.protocol().key() + "_rank1", o.result().rank(1));
                    m.put(
                            o.protocol().key() + "_tpir_at_fpir_" + trim(TPIR_FPIR),
                            o.result().tpirAtFpir(TPIR_FPIR));
                }
            }
        }
        return m;
    }

    private static String trim(double v) {
        return Double.toString(v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
