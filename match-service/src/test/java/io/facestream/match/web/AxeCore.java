package io.facestream.match.web;

import io.facestream.embed.model.zoo.NpmAssets;
import io.facestream.embed.model.zoo.NpmCache;
import io.facestream.embed.model.zoo.NpmPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * axe-core, the accessibility checker, run in the page under test: the pinned npm package is fetched through the
 * same {@link NpmCache} as the models and sample photos (integrity checked, downloaded once into the facestream
 * cache), never copied into the repository. WebDriver's scripts run outside the page's Content-Security-Policy, so
 * the checker is injected as source text.
 */
final class AxeCore {
    /** {@code axe-core@4.14.1} (MPL-2.0), its {@code axe.min.js}. */
    static final NpmPackage PACKAGE = new NpmPackage(
            "axe-core",
            "4.14.1",
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==");

    private final String source;

    private AxeCore(String source) {
        this.source = source;
    }

    static AxeCore fetch() {
        NpmCache cache = NpmCache.defaultCache();
        Path unpacked = NpmAssets.unpack(cache, PACKAGE, "", cache.dir().resolve("axe-core-" + PACKAGE.version()));
        try {
            return new AxeCore(Files.readString(unpacked.resolve("axe.min.js")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read axe.min.js from " + unpacked, e);
        }
    }

    /**
     * The violations of impact serious or critical on the page as shown now (hidden sections are not checked), one
     * line each: rule, impact, help and the offending elements. All violations, of any impact, are printed.
     */
    List<String> seriousViolations(WebDriver browser, String what) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object'"))) {
            js.executeScript(source);
        }
        Object out = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations.map((v) =>
                    v.impact + ' ' + v.id + ': ' + v.help + ' [' + v.nodes.map((n) => n.target.join(' ')).join(', ')
                    + ']')), (e) => done(['error axe failed: ' + e]));
                """);
        @SuppressWarnings("unchecked")
        List<String> all = (List<String>) out;
        all.forEach(v -> System.out.println("axe " + what + ": " + v));
        return all.stream()
                .filter(v -> v.startsWith("serious ") || v.startsWith("critical ") || v.startsWith("error "))
                .toList();
    }
}
