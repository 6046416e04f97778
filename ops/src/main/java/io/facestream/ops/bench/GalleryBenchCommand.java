package io.facestream.ops.bench;

import io.facestream.core.files.FileTrees;
import io.facestream.core.json.Json;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchMode;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchTuning;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.report.Table;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench gallery}: the Lucene gallery (exact, HNSW float, HNSW int8) against FAISS (IndexFlatIP,
 * IndexHNSWFlat) and hnswlib on the same clustered 512-d vectors and queries, in one run. Lucene is driven through
 * the gallery's own index and searcher (re-ranking and stored-field loading included), not raw Lucene.
 */
@Command(
        name = "gallery",
        mixinStandardHelpOptions = true,
        description = "Gallery search benchmark: Lucene exact / HNSW float / HNSW int8 vs FAISS and hnswlib.")
public final class GalleryBenchCommand implements Runnable {
    private static final ModelVersion MODEL = new ModelVersion("bench", "1");
    /** Warm-up queries every engine runs before each measurement (a set of their own, not measured). */
    private static final int WARMUP = 200;
    /** Threads FAISS and hnswlib build with (Lucene builds on one: one segment, one graph). */
    private static final int BUILD_THREADS = 2;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "100000",
            description = "gallery sizes (vectors), e.g. 100000,1000000")
    List<Integer> sizes;

    @Option(names = "--dim", defaultValue = "512")
    int dim;

    @Option(names = "--samples-per-identity", defaultValue = "10")
    int samplesPerIdentity;

    @Option(names = "--queries", defaultValue = "500", description = "fresh queries and near-duplicate probes (each)")
    int queries;

    @Option(
            names = "--exact-queries",
            defaultValue = "300",
            description = "queries for the exact (brute force) rows (p99 needs at least 300)")
    int exactQueries;

    @Option(names = "--rounds", defaultValue = "3", description = "interleaved rounds (every row once per round)")
    int rounds;

    @Option(
            names = "--candidates",
            split = ",",
            defaultValue = "10,20,40,80,160",
            description = "Lucene HNSW candidates to sweep")
    List<Integer> candidates;

    @Option(
            names = "--ef",
            split = ",",
            defaultValue = "10,20,40,80,160",
            description = "FAISS/hnswlib efSearch to sweep")
    List<Integer> ef;

    @Option(names = "--m", defaultValue = "16")
    int m;

    @Option(names = "--beam-width", defaultValue = "100")
    int beamWidth;

    @Option(names = "--quantizations", split = ",", defaultValue = "none,int8")
    List<String> quantizations;

    @Option(
            names = "--python",
            description = "python3 with python3-faiss and python3-hnswlib (default /usr/bin/python3)")
    String python;

    @Option(names = "--no-baselines", description = "skip FAISS and hnswlib")
    boolean noBaselines;

    @Option(
            names = "--work-dir",
            description = "where indexes and vector files go (default: a temp dir, deleted after)")
    Path workDir;

    @Option(names = "--json", paramLabel = "FILE")
    Path json;

    @Option(names = "--seed", defaultValue = "20261122")
    long seed;

    @Override
    public void run() {
        List<Table> tables = new ArrayList<>();
        for (int n : sizes) {
            tables.add(runSize(n));
        }
        Table.writeJson(json, tables);
    }

    /** One row of the table: an engine and its setting, measured once per round. */
    private interface Config {
        String engine();

        String params();

        /** Build seconds and index sizes of the engine's index (the same for every setting of it). */
        Built built();

        /** Warm-up on the warm-up queries, then the measured queries and the near-duplicate probes. */
        Measured measure() throws IOException;
    }

    private record Built(double seconds, double indexMb, Double hotMb) {}

    private Table runSize(int n) {
        Table t = new Table(
                "gallery search, " + n + " x " + dim + "-d clustered vectors (" + samplesPerIdentity
                        + " samples/identity), k=10, one query at a time, " + rounds + " interleaved rounds",
                "engine",
                "params",
                "build_s",
                "build_per_s",
                "index_mb",
                "hot_mb",
                "n",
                "p50_ms",
                "p99_ms",
                "qps",
                "qps_min_max",
                "recall@10",
                "rank1_dup");
        Path work = workDir != null ? workDir.resolve("gallery-" + n) : tempDir();
        List<GalleryIndex> open = new ArrayList<>();
        Baselines baselines = null;
        String loadStart = BenchMachine.loadAverage();
        String commit = BenchMachine.commit(); // the code that runs, not whatever is checked out at the end
        try {
            Files.createDirectories(work);
            progress("generating %d vectors...", n);
            // one query set, split: the first WARMUP are the warm-up every engine runs before each measurement
            GalleryBenchData data = new GalleryBenchData(n, dim, samplesPerIdentity, queries + WARMUP, seed);
            float[][] warm = Arrays.copyOfRange(data.fresh, 0, WARMUP);
            float[][] fresh = Arrays.copyOfRange(data.fresh, WARMUP, WARMUP + queries);
            float[][] dup = Arrays.copyOfRange(data.dup, WARMUP, WARMUP + queries);
            progress("exact ground truth for %d + %d queries...", queries, queries);
            int[][] gtFresh = GalleryBenchData.exactTopK(data.base, fresh, 10);
            int[][] gtDup = GalleryBenchData.exactTopK(data.base, dup, 1);
            Queries qs = new Queries(warm, fresh, dup, gtFresh, gtDup);

            List<Config> configs = new ArrayList<>();
            for (String q : quantizations) {
                HnswSettings.Quantization quant = HnswSettings.Quantization.parse(q);
                Path dir = work.resolve("lucene-" + q);
                long t0 = System.nanoTime();
                GalleryIndex index = build(dir, data, new HnswSettings(m, beamWidth, quant));
                open.add(index);
                double buildS = (System.nanoTime() - t0) / 1e9;
                Map<String, Long> files = sizesByExtension(dir.resolve("lucene"));
                double indexMb =
                        files.values().stream().mapToLong(Long::longValue).sum() / 1048576.0;
                double vecMb = files.getOrDefault("vec", 0L) / 1048576.0;
                double hotMb = (files.getOrDefault("vex", 0L)
                                + (quant == HnswSettings.Quantization.NONE
                                        ? files.getOrDefault("vec", 0L)
                                        : files.getOrDefault("veq", 0L)))
                        / 1048576.0;
                if (quant == HnswSettings.Quantization.NONE) {
                    // one thread and all cores side by side: the scan is bound by memory bandwidth
                    int cores = Runtime.getRuntime().availableProcessors();
                    for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
                        GallerySearcher exact = new GallerySearcher(index, new SearchTuning(0, 100, threads));
                        configs.add(lucene(
                                "lucene exact",
                                "Vector API brute force, " + threads + (threads == 1 ? " thread" : " threads"),
                                new Built(buildS, indexMb, vecMb),
                                () -> measure(exact, qs, SearchMode.EXACT, 0, exactQueries)));
                    }
                }
                GallerySearcher searcher = new GallerySearcher(index, new SearchTuning(0, 100));
                for (int c : candidates) {
                    configs.add(lucene(
                            "lucene hnsw " + (quant == HnswSettings.Quantization.NONE ? "float" : q),
                            "M=" + m + " beam=" + beamWidth + " candidates=" + c,
                            new Built(buildS, indexMb, hotMb),
                            () -> measure(searcher, qs, SearchMode.HNSW, c, queries)));
                }
            }
            if (!noBaselines) {
                progress("FAISS and hnswlib on the same vectors (built once, then queried between the Lucene rows)...");
                GalleryBenchData.writeF32(work.resolve("base.f32"), data.base);
                GalleryBenchData.writeF32(work.resolve("warm.f32"), warm);
                GalleryBenchData.writeF32(work.resolve("fresh.f32"), fresh);
                GalleryBenchData.writeF32(work.resolve("dup.f32"), dup);
                GalleryBenchData.writeI32(work.resolve("gt_fresh.i32"), gtFresh);
                GalleryBenchData.writeI32(work.resolve("gt_dup.i32"), gtDup);
                baselines = Baselines.start(work, baselineParams(work), pythonCommand());
                configs.add(baselines.config("faiss IndexFlatIP", "faiss-flat", "", 0, exactQueries));
                for (int e : ef) {
                    configs.add(baselines.config(
                            "faiss IndexHNSWFlat",
                            "faiss-hnsw",
                            "M=" + m + " efC=" + beamWidth + " efSearch=" + e,
                            e,
                            queries));
                }
                for (int e : ef) {
                    configs.add(baselines.config(
                            "hnswlib",
                            "hnswlib",
                            "M=" + m + " efC=" + beamWidth + " ef=" + Math.max(e, 10),
                            e,
                            queries));
                }
            }

            // rounds: every configuration once per round, the order reversed every other round, so a drift in the
            // machine's load falls on all engines alike
            List<List<Measured>> results = new ArrayList<>();
            configs.forEach(c -> results.add(new ArrayList<>()));
            for (int round = 0; round < rounds; round++) {
                List<Integer> indices = new ArrayList<>();
                for (int i = 0; i < configs.size(); i++) {
                    indices.add(i);
                }
                for (int i : Rounds.order(indices, round)) {
                    Config c = configs.get(i);
                    Measured r = c.measure();
                    results.get(i).add(r);
                    progress(
                            "round %d/%d %s %s: p50 %.2f ms, recall@10 %.4f",
                            round + 1, rounds, c.engine(), c.params(), r.p50, r.recall);
                }
            }
            List<Map<String, Object>> luceneHnswFloat = new ArrayList<>();
            List<Map<String, Object>> faissHnsw = new ArrayList<>();
            List<String> unstable = new ArrayList<>();
            for (int i = 0; i < configs.size(); i++) {
                Config c = configs.get(i);
                List<Measured> rs = results.get(i);
                double[] qps = rs.stream().mapToDouble(r -> 1000 / r.mean).toArray();
                double medianQps = Rounds.median(qps);
                Measured first = rs.get(0);
                if (rs.stream().anyMatch(r -> r.recall != first.recall || r.rank1 != first.rank1)) {
                    unstable.add(c.engine() + " " + c.params());
                }
                Built b = c.built();
                t.row(
                        c.engine(),
                        c.params(),
                        round(b.seconds()),
                        round(n / b.seconds()),
                        round(b.indexMb()),
                        b.hotMb() == null ? null : round(b.hotMb()),
                        first.n,
                        round(Rounds.median(rs.stream().mapToDouble(r -> r.p50).toArray())),
                        first.n >= 300
                                ? round(Rounds.median(
                                        rs.stream().mapToDouble(r -> r.p99).toArray()))
                                : null,
                        round(medianQps),
                        String.format(
                                java.util.Locale.ROOT,
                                "%.0f-%.0f",
                                Arrays.stream(qps).min().orElse(0),
                                Arrays.stream(qps).max().orElse(0)),
                        round(first.recall),
                        round(first.rank1));
                Map<String, Object> point = Map.of("recall", first.recall, "qps", medianQps, "setting", c.params());
                if (c.engine().equals("lucene hnsw float")) {
                    luceneHnswFloat.add(point);
                } else if (c.engine().equals("faiss IndexHNSWFlat")) {
                    faissHnsw.add(point);
                }
            }
            for (double target : noBaselines ? new double[0] : new double[] {0.95, 0.99}) {
                t.note("qps at recall@10 >= " + target, equalRecall(target, luceneHnswFloat, faissHnsw));
            }
            t.note(
                    "rounds",
                    rounds + " rounds, every row once per round, the order reversed every other round; p50, p99 and"
                            + " qps are medians over the rounds, qps_min_max their spread; before every measurement"
                            + " the engine runs the same " + WARMUP + " warm-up queries (a separate set)");
            t.note("n", "queries timed per round (p99 only where n >= 300); rank1_dup over as many probes");
            t.note("machine", Runtime.getRuntime().availableProcessors() + " cores, JDK " + Runtime.version());
            t.note(
                    "load",
                    "load average " + loadStart + " at the start, " + BenchMachine.loadAverage() + " at the end");
            t.note("commit", commit);
            if (!unstable.isEmpty()) {
                t.note("unstable", "recall or rank-1 differed between rounds: " + unstable);
            }
            t.note(
                    "build",
                    "lucene: 1 thread into one segment (one graph), via the gallery index (raw vectors stored too); "
                            + "faiss/hnswlib: " + BUILD_THREADS + " threads; every engine queries on 1 thread");
            t.note("hot_mb", "graph + the vectors HNSW reads (float .vec, or quantised .veq); exact reads .vec");
        } catch (IOException e) {
            throw new UncheckedIOException("gallery bench failed in " + work, e);
        } finally {
            if (baselines != null) {
                baselines.close();
            }
            for (GalleryIndex index : open) {
                index.close();
            }
            if (workDir == null) {
                FileTrees.delete(work);
            }
        }
        t.print(System.out);
        return t;
    }

    private interface Measurement {
        Measured run() throws IOException;
    }

    /** A row whose build is known up front (Lucene's) or looked up when the table is made (the baselines'). */
    private record Row(String engine, String params, java.util.function.Supplier<Built> builtBy, Measurement by)
            implements Config {
        @Override
        public Built built() {
            return builtBy.get();
        }

        @Override
        public Measured measure() throws IOException {
            return by.run();
        }
    }

    private static Config lucene(String engine, String params, Built built, Measurement m) {
        return new Row(engine, params, () -> built, m);
    }

    /** The cheapest setting of each engine that reaches the target recall, and the QPS ratio. */
    private static String equalRecall(
            double target, List<Map<String, Object>> lucene, List<Map<String, Object>> faiss) {
        Map<String, Object> l = cheapest(target, lucene);
        Map<String, Object> f = cheapest(target, faiss);
        if (l == null || f == null) {
            return "not reached by " + (l == null ? "lucene" : "") + (l == null && f == null ? " and " : "")
                    + (f == null ? "faiss" : "") + " in the swept settings";
        }
        double lq = (double) l.get("qps"), fq = (double) f.get("qps");
        return String.format(
                "lucene %.0f qps (%s) vs faiss hnsw %.0f qps (%s): faiss/lucene = %.2fx",
                lq, l.get("setting"), fq, f.get("setting"), fq / lq);
    }

    private static Map<String, Object> cheapest(double target, List<Map<String, Object>> rows) {
        return rows.stream()
                .filter(r -> (double) r.get("recall") >= target)
                .max(Comparator.comparingDouble(r -> (double) r.get("qps")))
                .orElse(null);
    }

    private GalleryIndex build(Path dir, GalleryBenchData data, HnswSettings hnsw) {
        FileTrees.delete(dir);
        // one big buffer and one thread: the whole gallery flushes as one segment, one HNSW graph
        GalleryIndex index = GalleryIndex.open(dir, hnsw, 1900);
        index.apply(
                new GalleryChange.DefineGallery(new GalleryDefinition("bench", GalleryKind.SURVEILLANCE, Map.of())));
        int n = data.base.length;
        long t0 = System.nanoTime();
        int lastIdentity = -1;
        for (int i = 0; i < n; i++) {
            int identity = data.identityOf(i);
            if (identity != lastIdentity) {
                index.apply(new GalleryChange.PutSubject(new Subject("bench", "id" + identity, "", Map.of())));
                lastIdentity = identity;
            }
            float[] raw = data.base[i].clone();
            for (int d = 0; d < raw.length; d++) {
                raw[d] *= data.norms[i];
            }
            index.apply(new GalleryChange.PutMedium(new Medium(
                    "bench", "id" + identity, "v" + i, List.of(new Embedding(MODEL, raw)), List.of(), Map.of(), 0)));
            if ((i + 1) % 20_000 == 0) {
                double s = (System.nanoTime() - t0) / 1e9;
                double rate = (i + 1) / s;
                progress(
                        "lucene %s: %d/%d vectors, %.0f/s, ETA %.0f s",
                        hnsw.quantization(), i + 1, n, rate, (n - i - 1) / rate);
            }
        }
        index.commit(0);
        index.forceMerge(1);
        return index;
    }

    private record Measured(int n, double p50, double p99, double mean, double recall, double rank1) {}

    /** The warm-up queries, the measured queries and probes, and their exact answers. */
    private record Queries(float[][] warm, float[][] fresh, float[][] dup, int[][] gtFresh, int[][] gtDup) {}

    private Measured measure(GallerySearcher searcher, Queries qs, SearchMode mode, int candidates, int count) {
        int nq = Math.min(count, qs.fresh().length);
        for (float[] w : qs.warm()) { // the same warm-up for every engine and row: JIT, page cache
            searcher.search(request(w, mode, candidates, 10));
        }
        double[] lat = new double[nq];
        double recallSum = 0;
        for (int q = 0; q < nq; q++) {
            long t0 = System.nanoTime();
            List<Hit> hits = searcher.search(request(qs.fresh()[q], mode, candidates, 10))
                    .hits();
            lat[q] = (System.nanoTime() - t0) / 1e6;
            int found = 0;
            for (Hit h : hits) {
                int id = Integer.parseInt(h.mediaId().substring(1));
                for (int g : qs.gtFresh()[q]) {
                    if (g == id) {
                        found++;
                    }
                }
            }
            recallSum += found / 10.0;
        }
        int agree = 0;
        for (int q = 0; q < nq; q++) {
            List<Hit> hits =
                    searcher.search(request(qs.dup()[q], mode, candidates, 1)).hits();
            if (!hits.isEmpty() && Integer.parseInt(hits.get(0).mediaId().substring(1)) == qs.gtDup()[q][0]) {
                agree++;
            }
        }
        double mean = Arrays.stream(lat).average().orElse(0);
        Arrays.sort(lat);
        return new Measured(
                nq,
                lat[nq / 2],
                lat[Math.min(nq - 1, (int) Math.ceil(nq * 0.99) - 1)],
                mean,
                recallSum / nq,
                agree / (double) nq);
    }

    private static SearchRequest request(float[] probe, SearchMode mode, int candidates, int k) {
        return SearchRequest.of("bench", MODEL, probe, k).withMode(mode).withCandidates(candidates);
    }

    private Map<String, Object> baselineParams(Path work) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("work_dir", work.toString());
        params.put("dim", dim);
        params.put("m", m);
        params.put("beam_width", beamWidth);
        params.put("build_threads", BUILD_THREADS);
        return params;
    }

    private String pythonCommand() {
        return python != null
                ? python
                : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * FAISS and hnswlib in one {@code python3} process ({@code gallery_ann_baselines.py}): it builds their indexes
     * once, then answers one measurement request at a time, so their rows interleave with Lucene's.
     */
    private static final class Baselines implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final java.io.Writer in;
        private final Map<String, Built> built = new LinkedHashMap<>();
        private final String python;

        private Baselines(Process process, String python) {
            this.process = process;
            this.python = python;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Baselines start(Path work, Map<String, Object> params, String python) throws IOException {
            Path script = work.resolve("gallery_ann_baselines.py");
            try (InputStream res = GalleryBenchCommand.class.getResourceAsStream("gallery_ann_baselines.py")) {
                Files.copy(res, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Process p = new ProcessBuilder(
                            python, script.toString(), Json.mapper().writeValueAsString(params))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Baselines b = new Baselines(p, python);
            while (true) {
                Map<String, Object> line = b.read();
                if (line.containsKey("ready")) {
                    return b;
                }
                double seconds = ((Number) line.get("build_s")).doubleValue();
                b.built.put(
                        (String) line.get("built"),
                        new Built(seconds, ((Number) line.get("index_mb")).doubleValue(), null));
                progress("  built %s in %.1f s", line.get("built"), seconds);
            }
        }

        Config config(String engine, String request, String params, int ef, int queries) {
            return new Row(engine, params, () -> built.get(engine), () -> {
                in.write(Json.mapper().writeValueAsString(Map.of("engine", request, "ef", ef, "queries", queries))
                        + "\n");
                in.flush();
                Map<String, Object> r = read();
                if (r.containsKey("error")) {
                    throw new CommandFailed("gallery_ann_baselines.py: " + r.get("error"));
                }
                return new Measured(
                        ((Number) r.get("n")).intValue(),
                        ((Number) r.get("p50_ms")).doubleValue(),
                        ((Number) r.get("p99_ms")).doubleValue(),
                        ((Number) r.get("mean_ms")).doubleValue(),
                        ((Number) r.get("recall10")).doubleValue(),
                        ((Number) r.get("rank1_dup")).doubleValue());
            });
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> read() throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("{")) {
                    return Json.mapper().readValue(line, Map.class);
                }
            }
            int rc;
            try {
                rc = process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailed("interrupted", e);
            }
            throw new CommandFailed(python + " gallery_ann_baselines.py exited with " + rc
                    + " (needs apt-get install python3-faiss python3-hnswlib; or pass --no-baselines)");
        }

        @Override
        public void close() {
            try {
                in.close(); // end of requests: the script's loop ends
                process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                // already gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static Map<String, Long> sizesByExtension(Path dir) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                int dot = name.lastIndexOf('.');
                out.merge(dot < 0 ? name : name.substring(dot + 1), Files.size(f), Long::sum);
            }
        }
        return out;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("facestream-bench-gallery");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void progress(String format, Object... args) {
        System.err.printf("[bench gallery] " + format + "%n", args);
    }
}
