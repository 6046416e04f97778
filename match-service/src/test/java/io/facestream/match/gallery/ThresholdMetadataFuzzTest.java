package io.facestream.match.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.facestream.core.testing.FuzzInput;
import io.facestream.core.testing.Fuzzing;
import io.facestream.match.decide.OpenSetThreshold;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the open-set thresholds kept in a gallery's metadata, which anything that writes the gallery topic may set:
 * {@link ThresholdMetadata#read} gives a threshold or an {@link IllegalArgumentException} naming the key (as
 * documented), {@link ThresholdMetadata#all} never throws, and a threshold that was read survives
 * {@link ThresholdMetadata#write} and a second read unchanged.
 *
 * <p>Input ({@link FuzzInput}): {@code model=<name:version>}, then metadata as {@code <key>=<value>} lines.
 */
class ThresholdMetadataFuzzTest {

    @DictionaryEntries({
        "open-set.",
        ".threshold=",
        ".fpir=",
        ".calibrated-on=",
        ".source=",
        "model=",
        "NaN",
        "1e308",
        "2147483648"
    })
    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        FuzzInput in = FuzzInput.parse(data);
        String model = in.text("model", "mfn:1");
        Map<String, String> metadata = new LinkedHashMap<>();
        in.fields().forEach(f -> {
            if (!f.getKey().equals("model") && f.getValue() != null) {
                metadata.put(f.getKey(), new String(f.getValue(), StandardCharsets.UTF_8));
            }
        });
        Fuzzing.check(() -> ThresholdMetadata.all(metadata));
        Fuzzing.check(
                () -> {
                    Optional<OpenSetThreshold> t = ThresholdMetadata.read(metadata, model);
                    if (t.isPresent()) {
                        Map<String, String> written = ThresholdMetadata.write(metadata, model, t.get());
                        assertEquals(
                                t, ThresholdMetadata.read(written, model), "write then read changed the threshold");
                    }
                },
                IllegalArgumentException.class);
    }
}
