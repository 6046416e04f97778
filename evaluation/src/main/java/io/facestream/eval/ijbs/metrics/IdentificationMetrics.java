package io.facestream.eval.ijbs.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The five numbers reported per IJB-S protocol, as fractions in [0, 1] (the README multiplies by 100). */
@JsonPropertyOrder({"rank1", "rank5", "rank10", "tpir_at_fpir_1pct", "tpir_at_fpir_10pct"})
public record IdentificationMetrics(
        @JsonProperty("rank1") double rank1,
        @JsonProperty("rank5") double rank5,
        @JsonProperty("rank10") double rank10,
        @JsonProperty("tpir_at_fpir_1pct") double tpirAtFpir1pct,
        @JsonProperty("tpir_at_fpir_10pct") double tpirAtFpir10pct) {}
