#!/usr/bin/env python3
# facestream bench gallery: FAISS and hnswlib on the same vectors and queries as the Lucene runs.
# Apache-2.0. Input: a work directory with base.f32 / warm.f32 / fresh.f32 / dup.f32 (row-major float32, unit rows),
# gt_fresh.i32 (top-10 ids per fresh query) and gt_dup.i32 (top-1 id per near-duplicate probe), plus the
# parameters as JSON on argv[1].
#
# Protocol (one JSON object per line): the script builds every index first and prints one {"built": ENGINE, ...}
# line per engine, then {"ready": true}. Then it reads requests from stdin, one per line,
# {"engine": "faiss-flat" | "faiss-hnsw" | "hnswlib", "ef": N, "queries": N}, and answers each with one row: the same
# warm-up as every engine of the run (all of warm.f32), then `queries` fresh queries timed one at a time and the
# near-duplicate probes for rank-1. The Java side interleaves these requests with its own engines, round by round.
import json
import os
import sys
import time

import numpy as np


def load(path, cols, dtype):
    a = np.fromfile(path, dtype=dtype)
    return a.reshape(-1, cols)


def latency_run(search_one, queries):
    lat = []
    ids = []
    for q in queries:
        t0 = time.perf_counter()
        ids.append(search_one(q))
        lat.append((time.perf_counter() - t0) * 1000.0)
    return ids, np.array(lat)


def recall10(ids, gt):
    hits = 0
    for got, want in zip(ids, gt):
        hits += len(set(int(x) for x in got[:10]) & set(int(x) for x in want[:10]))
    return hits / (10.0 * len(ids))


def rank1(ids, gt):
    return float(np.mean([len(got) > 0 and int(got[0]) == int(want[0]) for got, want in zip(ids, gt)]))


def emit(row):
    print(json.dumps(row), flush=True)


def main():
    p = json.loads(sys.argv[1])
    work, dim = p["work_dir"], p["dim"]
    base = load(os.path.join(work, "base.f32"), dim, np.float32)
    warm = load(os.path.join(work, "warm.f32"), dim, np.float32)
    fresh = load(os.path.join(work, "fresh.f32"), dim, np.float32)
    dup = load(os.path.join(work, "dup.f32"), dim, np.float32)
    gt_fresh = load(os.path.join(work, "gt_fresh.i32"), 10, np.int32)
    gt_dup = load(os.path.join(work, "gt_dup.i32"), 1, np.int32)
    n = base.shape[0]

    import faiss
    import hnswlib

    faiss.omp_set_num_threads(p["build_threads"])
    flat = faiss.IndexFlatIP(dim)
    t0 = time.perf_counter()
    flat.add(base)
    emit(dict(built="faiss IndexFlatIP", build_s=time.perf_counter() - t0, index_mb=n * dim * 4 / 2**20))

    hnsw = faiss.IndexHNSWFlat(dim, p["m"], faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = p["beam_width"]
    t0 = time.perf_counter()
    hnsw.add(base)
    emit(dict(built="faiss IndexHNSWFlat", build_s=time.perf_counter() - t0,
              index_mb=len(faiss.serialize_index(hnsw)) / 2**20))

    h = hnswlib.Index(space="ip", dim=dim)
    h.init_index(max_elements=n, ef_construction=p["beam_width"], M=p["m"])
    t0 = time.perf_counter()
    h.add_items(base, np.arange(n), num_threads=p["build_threads"])
    build = time.perf_counter() - t0
    tmp = os.path.join(work, "hnswlib.bin")
    h.save_index(tmp)
    emit(dict(built="hnswlib", build_s=build, index_mb=os.path.getsize(tmp) / 2**20))
    os.remove(tmp)

    # queries run on one thread, as Lucene's do
    faiss.omp_set_num_threads(1)
    h.set_num_threads(1)
    emit(dict(ready=True))

    for line in sys.stdin:
        req = json.loads(line)
        engine, ef, nq = req["engine"], int(req.get("ef", 0)), int(req["queries"])
        if engine == "faiss-flat":
            def search(q, k):
                return flat.search(q[None, :], k)[1][0]
        elif engine == "faiss-hnsw":
            hnsw.hnsw.efSearch = ef

            def search(q, k):
                return hnsw.search(q[None, :], k)[1][0]
        elif engine == "hnswlib":
            h.set_ef(max(ef, 10))

            def search(q, k):
                return h.knn_query(q[None, :], k=k)[0][0]
        else:
            emit(dict(error="unknown engine " + engine))
            continue
        latency_run(lambda q: search(q, 10), warm)
        ids, lat = latency_run(lambda q: search(q, 10), fresh[:nq])
        dids, _ = latency_run(lambda q: search(q, 1), dup[:nq])
        emit(dict(engine=engine, ef=ef, n=len(lat), p50_ms=float(np.percentile(lat, 50, method="inverted_cdf")),
                  p99_ms=float(np.percentile(lat, 99, method="inverted_cdf")), mean_ms=float(lat.mean()),
                  recall10=recall10(ids, gt_fresh[:nq]), rank1_dup=rank1(dids, gt_dup[:nq])))


if __name__ == "__main__":
    main()
