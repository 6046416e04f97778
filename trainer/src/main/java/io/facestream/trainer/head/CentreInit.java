package io.facestream.trainer.head;

import java.util.Arrays;

/**
 * How the class-centre matrix starts ({@code --centres}).
 * <ul>
 *   <li>{@link #PROTOTYPES}: each centre is the normalised mean of its class's unit embeddings under the base model.
 *       The standard way to fine-tune a pretrained embedder with a fresh margin head: the head starts consistent with
 *       what the backbone already knows, so the first steps are not spent (and the backbone not damaged) pulling
 *       random centres into place.</li>
 *   <li>{@link #RANDOM}: U(−1, 1) unit columns from the seed, for nets trained from scratch whose embeddings mean
 *       nothing yet.</li>
 * </ul>
 */
public enum CentreInit {
    PROTOTYPES,
    RANDOM;

    public static CentreInit parse(String name) {
        return Arrays.stream(values())
                .filter(k -> k.name().equalsIgnoreCase(name.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown --centres '" + name + "' (expected prototypes or random)"));
    }

    /** Prototypes for a pretrained base, random for a net from scratch. */
    public static CentreInit defaultFor(boolean pretrained) {
        return pretrained ? PROTOTYPES : RANDOM;
    }

    public String id() {
        return name().toLowerCase();
    }
}
