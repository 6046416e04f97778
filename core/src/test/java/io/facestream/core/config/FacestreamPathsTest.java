package io.facestream.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FacestreamPathsTest {
    private static final Map<String, String> NO_PROPERTIES = Map.of();

    @Test
    void defaultsAreTheHomeCacheAndNoSharedFolder() {
        FacestreamPaths p =
                FacestreamPaths.of(FacestreamConfig.builder().isolated().build(), NO_PROPERTIES::get);
        assertEquals(Path.of(System.getProperty("user.home"), ".facestream"), p.cache());
        assertEquals(p.cache().resolve("npm"), p.cache("npm"));
        assertNull(p.shared());
        assertNull(p.sharedOrNull());
    }

    @Test
    void systemPropertiesReplaceOnlyTheBuiltInDefault(@TempDir Path dir) throws Exception {
        Map<String, String> props =
                Map.of("facestream.cache", dir.resolve("prop").toString(), "facestream.shared", dir.toString());
        FacestreamPaths fromProps =
                FacestreamPaths.of(FacestreamConfig.builder().isolated().build(), props::get);
        assertEquals(dir.resolve("prop"), fromProps.cache());
        assertEquals(dir, fromProps.sharedOrNull());

        Path file = dir.resolve("f.yaml");
        Files.writeString(file, "paths:\n  cache: " + dir.resolve("file") + "\n");
        FacestreamPaths fromFile = FacestreamPaths.of(
                FacestreamConfig.builder().file(file).env(Map.of()).build(), props::get);
        assertEquals(dir.resolve("file"), fromFile.cache(), "a file wins over -Dfacestream.cache");

        FacestreamPaths fromEnv = FacestreamPaths.of(
                FacestreamConfig.builder()
                        .file(file)
                        .env(Map.of("FACESTREAM_PATHS_CACHE", dir.resolve("env").toString()))
                        .build(),
                props::get);
        assertEquals(dir.resolve("env"), fromEnv.cache(), "the environment wins over the file");

        FacestreamPaths fromFlag = FacestreamPaths.of(
                FacestreamConfig.builder()
                        .isolated()
                        .flag("paths.cache", dir.resolve("flag").toString())
                        .flag("paths.shared", "")
                        .build(),
                props::get);
        assertEquals(dir.resolve("flag"), fromFlag.cache());
        assertNull(fromFlag.shared(), "--set paths.shared= turns the property's shared folder off");
    }

    @Test
    void tildeIsTheHomeAndAMissingSharedFolderIsNone(@TempDir Path dir) {
        FacestreamPaths p = FacestreamPaths.of(
                FacestreamConfig.builder()
                        .isolated()
                        .flag("paths.cache", "~/elsewhere")
                        .flag("paths.shared", dir.resolve("absent").toString())
                        .build(),
                NO_PROPERTIES::get);
        assertEquals(Path.of(System.getProperty("user.home"), "elsewhere"), p.cache());
        assertEquals(dir.resolve("absent"), p.shared());
        assertNull(p.sharedOrNull(), "a configured folder that does not exist is treated as none");
    }

    @Test
    void anEmptyCacheIsAnErrorThatSaysWhatToSet() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> FacestreamPaths.of(
                        FacestreamConfig.builder()
                                .isolated()
                                .flag("paths.cache", " ")
                                .build(),
                        NO_PROPERTIES::get));
        assertTrue(e.getMessage().contains("paths.cache") && e.getMessage().contains("flag"), e.getMessage());
    }
}
