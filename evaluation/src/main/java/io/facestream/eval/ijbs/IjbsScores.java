package io.facestream.eval.ijbs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.facestream.eval.ijbs.metrics.IdentificationMetrics;

/** The JSON of an IJB-S evaluation, exactly {@code {"sur_to_single": …, "sur_to_book": …, "sur_to_sur": …}}. */
@JsonPropertyOrder({"sur_to_single", "sur_to_book", "sur_to_sur"})
public record IjbsScores(
        @JsonProperty("sur_to_single") IdentificationMetrics surToSingle,
        @JsonProperty("sur_to_book") IdentificationMetrics surToBook,
        @JsonProperty("sur_to_sur") IdentificationMetrics surToSur) {
}
