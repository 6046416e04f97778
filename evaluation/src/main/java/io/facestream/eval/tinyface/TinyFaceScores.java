package io.facestream.eval.tinyface;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The TinyFace JSON: closed-set CMC at ranks 1, 5 and 20 as fractions (adaface.md §5d). */
@JsonPropertyOrder({"rank1", "rank5", "rank20"})
public record TinyFaceScores(
        @JsonProperty("rank1") double rank1,
        @JsonProperty("rank5") double rank5,
        @JsonProperty("rank20") double rank20) {}
