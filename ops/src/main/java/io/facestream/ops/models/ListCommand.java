package io.facestream.ops.models;

import io.facestream.core.json.Json;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.ops.report.Table;
import java.io.UncheckedIOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream models list [--json]}: what the store holds. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List installed models.")
public final class ListCommand implements Runnable {
    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--json", description = "Print the installed manifests as a JSON array instead of a table")
    boolean json;

    @Override
    public void run() {
        StoreOptions.userErrors(this::execute);
    }

    private void execute() {
        ModelStore store = storeOptions.store();
        if (json) {
            try {
                System.out.println(
                        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(store.list()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        table(store).print(System.out);
    }

    static Table table(ModelStore store) {
        Table t = new Table(
                "models in " + store.root(), "name", "version", "kind", "files", "embedding size", "source", "licence");
        for (ModelManifest m : store.list()) {
            t.row(
                    m.name(),
                    m.version(),
                    m.kind().name().toLowerCase(),
                    String.join(
                            " ",
                            m.files().stream()
                                    .map(ModelManifest.ModelFile::file)
                                    .toList()),
                    m.embedding() == null ? null : m.embedding().size(),
                    m.source() == null
                            ? "-"
                            : m.source().packageName() + "@" + m.source().packageVersion(),
                    m.licence());
        }
        if (store.list().isEmpty()) {
            t.note("empty", "no models installed; run ./facestream models pull");
        }
        return t;
    }
}
