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

    @Option(names = "--exact-queries", defaultValue = "200", description = "queries for the exact (brute force) rows")
    int exactQueries;

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

    private Table runSize(int n) {
        Table t = new Table(
                "gallery search, " + n + " x " + dim + "-d clustered vectors (" + samplesPerIdentity
                        + " samples/identity), k=10, one query at a time",
                "engine",
                "params",
                "build_s",
                "build_per_s",
                "index_mb",
                "hot_mb",
                "p50_ms",
                "p99_ms",
                "qps",
                "recall@10",
                "rank1_dup");
        Path work = workDir != null ? workDir.resolve("gallery-" + n) : tempDir();
        try {
            Files.createDirectories(work);
            progress("generating %d vectors...", n);
            GalleryBenchData data = new GalleryBenchData(n, dim, samplesPerIdentity, queries, seed);
            progress("exact ground truth for %d + %d queries...", queries, queries);
            int[][] gtFresh = GalleryBenchData.exactTopK(data.base, data.fresh, 10);
            int[][] gtDup = GalleryBenchData.exactTopK(data.base, data.dup, 1);

            List<Map<String, Object>> luceneHnswFloat = new ArrayList<>();
            for (String q : quantizations) {
                HnswSettings.Quantization quant = HnswSettings.Quantization.parse(q);
                Path dir = work.resolve("lucene-" + q);
                long t0 = System.nanoTime();
                try (GalleryIndex index = build(dir, data, new HnswSettings(m, beamWidth, quant))) {
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
                    GallerySearcher searcher = new GallerySearcher(index, new SearchTuning(0, 100));
                    if (quant == HnswSettings.Quantization.NONE) {
                        // one thread and all cores side by side: the scan is bound by memory bandwidth
                        int cores = Runtime.getRuntime().availableProcessors();
                        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
                            GallerySearcher exact = new GallerySearcher(index, new SearchTuning(0, 100, threads));
                            Measured ex = measure(exact, data, gtFresh, gtDup, SearchMode.EXACT, 0, exactQueries);
                            t.row(
                                    "lucene exact",
                                    "Vector API brute force, " + threads + (threads == 1 ? " thread" : " threads"),
                                    round(buildS),
                                    round(n / buildS),
                                    round(indexMb),
                                    round(vecMb),
                                    round(ex.p50),
                                    round(ex.p99),
                                    round(1000 / ex.mean),
                                    round(ex.recall),
                                    round(ex.rank1));
                        }
                    }
                    for (int c : candidates) {
                        Measured h = measure(searcher, data, gtFresh, gtDup, SearchMode.HNSW, c, queries);
                        t.row(
                                "lucene hnsw " + (quant == HnswSettings.Quantization.NONE ? "float" : q),
                                "M=" + m + " beam=" + beamWidth + " candidates=" + c,
                                round(buildS),
                                round(n / buildS),
                                round(indexMb),
                                round(hotMb),
                                round(h.p50),
                                round(h.p99),
                                round(1000 / h.mean),
                                round(h.recall),
                                round(h.rank1));
                        if (quant == HnswSettings.Quantization.NONE) {
                            luceneHnswFloat.add(Map.of("recall", h.recall, "qps", 1000 / h.mean, "setting", c));
                        }
                    }
                }
                FileTrees.delete(dir);
            }
            List<Map<String, Object>> faissHnsw = new ArrayList<>();
            if (!noBaselines) {
                progress("FAISS and hnswlib on the same vectors...");
                GalleryBenchData.writeF32(work.resolve("base.f32"), data.base);
                GalleryBenchData.writeF32(work.resolve("fresh.f32"), data.fresh);
                GalleryBenchData.writeF32(work.resolve("dup.f32"), data.dup);
                GalleryBenchData.writeI32(work.resolve("gt_fresh.i32"), gtFresh);
                GalleryBenchData.writeI32(work.resolve("gt_dup.i32"), gtDup);
                for (Map<String, Object> r : runBaselines(work)) {
                    double buildS = ((Number) r.get("build_s")).doubleValue();
                    double mean = ((Number) r.get("mean_ms")).doubleValue();
                    double recall = ((Number) r.get("recall10")).doubleValue();
                    t.row(
                            r.get("engine"),
                            r.get("params"),
                            round(buildS),
                            round(n / buildS),
                            round(((Number) r.get("index_mb")).doubleValue()),
                            null,
                            round(((Number) r.get("p50_ms")).doubleValue()),
                            round(((Number) r.get("p99_ms")).doubleValue()),
                            round(1000 / mean),
                            round(recall),
                            round(((Number) r.get("rank1_dup")).doubleValue()));
                    if ("faiss IndexHNSWFlat".equals(r.get("engine"))) {
                        faissHnsw.add(Map.of("recall", recall, "qps", 1000 / mean, "setting", r.get("ef")));
                    }
                }
            }
            for (double target : noBaselines ? new double[0] : new double[] {0.95, 0.99}) {
                t.note("qps at recall@10 >= " + target, equalRecall(target, luceneHnswFloat, faissHnsw));
            }
            t.note("machine", Runtime.getRuntime().availableProcessors() + " cores, JDK " + Runtime.version());
            t.note(
                    "build",
                    "lucene: 1 thread into one segment (one graph), via the gallery index (raw vectors stored too); faiss/hnswlib: 2 threads");
            t.note("hot_mb", "graph + the vectors HNSW reads (float .vec, or quantised .veq); exact reads .vec");
        } catch (IOException e) {
            throw new UncheckedIOException("gallery bench failed in " + work, e);
        } finally {
            if (workDir == null) {
                FileTrees.delete(work);
            }
        }
        t.print(System.out);
        return t;
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
                "lucene %.0f qps (candidates=%s) vs faiss hnsw %.0f qps (efSearch=%s): faiss/lucene = %.2fx",
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

    private record Measured(double p50, double p99, double mean, double recall, double rank1) {}

    private Measured measure(
            GallerySearcher searcher,
            GalleryBenchData data,
            int[][] gtFresh,
            int[][] gtDup,
            SearchMode mode,
            int candidates,
            int count) {
        int nq = Math.min(count, data.fresh.length);
        // warm-up: JIT and page cache
        for (int q = 0; q < Math.min(200, nq); q++) {
            searcher.search(request(data.fresh[q], mode, candidates, 10));
        }
        double[] lat = new double[nq];
        double recallSum = 0;
        for (int q = 0; q < nq; q++) {
            long t0 = System.nanoTime();
            List<Hit> hits = searcher.search(request(data.fresh[q], mode, candidates, 10))
                    .hits();
            lat[q] = (System.nanoTime() - t0) / 1e6;
            int found = 0;
            for (Hit h : hits) {
                int id = Integer.parseInt(h.mediaId().substring(1));
                for (int g : gtFresh[q]) {
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
                    searcher.search(request(data.dup[q], mode, candidates, 1)).hits();
            if (!hits.isEmpty() && Integer.parseInt(hits.get(0).mediaId().substring(1)) == gtDup[q][0]) {
                agree++;
            }
        }
        double mean = Arrays.stream(lat).average().orElse(0);
        Arrays.sort(lat);
        progress("  %s candidates=%d: p50 %.2f ms, recall@10 %.4f", mode, candidates, lat[nq / 2], recallSum / nq);
        return new Measured(
                lat[nq / 2],
                lat[Math.min(nq - 1, (int) Math.ceil(nq * 0.99) - 1)],
                mean,
                recallSum / nq,
                agree / (double) nq);
    }

    private static SearchRequest request(float[] probe, SearchMode mode, int candidates, int k) {
        return SearchRequest.of("bench", MODEL, probe, k).withMode(mode).withCandidates(candidates);
    }

    private List<Map<String, Object>> runBaselines(Path work) throws IOException {
        Path script = work.resolve("gallery_ann_baselines.py");
        try (InputStream in = GalleryBenchCommand.class.getResourceAsStream("gallery_ann_baselines.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("work_dir", work.toString());
        params.put("dim", dim);
        params.put("m", m);
        params.put("beam_width", beamWidth);
        params.put("ef", ef);
        params.put("exact_queries", exactQueries);
        params.put("build_threads", 2);
        String py = python != null
                ? python
                : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(py, script.toString(), Json.mapper().writeValueAsString(params))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("{")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = Json.mapper().readValue(line, Map.class);
                    rows.add(row);
                    progress(
                            "  %s %s: p50 %.2f ms, recall@10 %.4f",
                            row.get("engine"),
                            row.get("params"),
                            ((Number) row.get("p50_ms")).doubleValue(),
                            ((Number) row.get("recall10")).doubleValue());
                }
            }
        }
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                throw new CommandFailed(py + " " + script.getFileName() + " exited with " + rc
                        + " (needs apt-get install python3-faiss python3-hnswlib; or pass --no-baselines)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed("interrupted", e);
        }
        return rows;
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
