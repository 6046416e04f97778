package io.facestream.trainer.head;

import java.util.Arrays;

/** The heads {@code --head} selects. */
public enum HeadKind {
    ADAFACE,
    ARCFACE,
    COSFACE;

    public static HeadKind parse(String name) {
        return Arrays.stream(values())
                .filter(k -> k.name().equalsIgnoreCase(name.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown head '" + name + "' (expected adaface, arcface or cosface)"));
    }

    public String id() {
        return name().toLowerCase();
    }
}
