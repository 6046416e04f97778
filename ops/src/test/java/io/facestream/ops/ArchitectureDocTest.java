package io.facestream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module table of docs/architecture.md true: every module of the build has a row, and every package
 * directly under a module's root package is named in its row ({@code `name`} or {@code `root.name`}), and every
 * {@code `root.name`} the row names exists.
 */
class ArchitectureDocTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| (.*?) \\|", Pattern.MULTILINE);

    @Test
    void theModuleTableNamesEveryModuleAndEveryPackage() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/architecture.md"));
        Map<String, String> rows = new TreeMap<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        List<String> modules = new ArrayList<>();
        Matcher mod = Pattern.compile("<module>([a-z-]+)</module>").matcher(pom);
        while (mod.find()) {
            modules.add(mod.group(1));
        }
        assertTrue(modules.size() >= 9, modules.toString());
        assertEquals(new java.util.TreeSet<>(modules), rows.keySet(), "one row per module of the build");

        List<String> missing = new ArrayList<>();
        for (String module : modules) {
            Path base = ROOT.resolve(module).resolve("src/main/java/io/facestream");
            String root;
            try (Stream<Path> dirs = Files.list(base)) {
                List<Path> roots = dirs.filter(Files::isDirectory).toList();
                assertEquals(1, roots.size(), module + " has one root package under io.facestream: " + roots);
                root = roots.get(0).getFileName().toString();
            }
            Matcher named =
                    Pattern.compile("`" + Pattern.quote(root) + "\\.([a-z.]+)`").matcher(rows.get(module));
            while (named.find()) {
                if (!Files.isDirectory(base.resolve(root).resolve(named.group(1).replace('.', '/')))) {
                    missing.add(module + ": the table names " + root + "." + named.group(1) + ", which does not exist");
                }
            }
            try (Stream<Path> dirs = Files.list(base.resolve(root))) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    String name = d.getFileName().toString();
                    String cell = rows.get(module);
                    if (!cell.contains("`" + name + "`") && !cell.contains("`" + root + "." + name + "`")) {
                        missing.add(module + ": " + root + "." + name);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "packages the module table of docs/architecture.md does not name");
    }
}
