package io.facestream.embed.model.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.core.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Integration
class NpmAssetsTest {

    @Test
    void unpacksThePackagesSamplePhotosOnceKeepingTheirPaths(@TempDir Path target) throws Exception {
        NpmCache cache = NpmCache.defaultCache();
        assumeTrue(
                Files.exists(cache.dir().resolve(NpmAssets.HUMAN.tarballName())) || NpmCache.npmAvailable(),
                "npm is not available and the package is not cached");
        Path assets = NpmAssets.unpack(cache, NpmAssets.HUMAN, "assets", target);
        assertEquals(target.resolve("package").resolve("assets"), assets);
        assertTrue(Files.size(assets.resolve("samples.jpg")) > 10_000, "a real photograph came out of the package");

        long modified = Files.getLastModifiedTime(assets.resolve("samples.jpg")).toMillis();
        Thread.sleep(20);
        NpmAssets.unpack(cache, NpmAssets.HUMAN, "assets", target);
        assertEquals(
                modified,
                Files.getLastModifiedTime(assets.resolve("samples.jpg")).toMillis(),
                "second call reuses the folder");
        try (var left = Files.list(target)) {
            assertEquals(1, left.count(), "no temporary folder left behind");
        }
    }
}
