package io.facestream.eval.ijbs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.facestream.eval.ijbs.metrics.IdentificationMetrics;

/**
 * The JSON of an IJB-S evaluation: {@code {"sur_to_single": …, "sur_to_book": …, "sur_to_sur": …,
 * "norm_vs_face_size": {"spearman": ρ, "samples": n}}}; the last key is left out when face sizes are unknown (or ρ
 * is undefined), so readers of the three protocols are unaffected.
 */
@JsonPropertyOrder({"sur_to_single", "sur_to_book", "sur_to_sur", "norm_vs_face_size"})
public record IjbsScores(
        @JsonProperty("sur_to_single") IdentificationMetrics surToSingle,
        @JsonProperty("sur_to_book") IdentificationMetrics surToBook,
        @JsonProperty("sur_to_sur") IdentificationMetrics surToSur,
        @JsonProperty("norm_vs_face_size") NormSizeCorrelation normVsFaceSize) {}
