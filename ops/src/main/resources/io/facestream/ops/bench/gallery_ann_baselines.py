#!/usr/bin/env python3
# facestream bench gallery: FAISS and hnswlib on the same vectors and queries as the Lucene runs.
# Apache-2.0. Input: a work directory with base.f32 / fresh.f32 / dup.f32 (row-major float32, unit rows),
# gt_fresh.i32 (top-10 ids per fresh query) and gt_dup.i32 (top-1 id per near-duplicate probe), plus the
# parameters as JSON on argv[1]. Output: one JSON object per line on stdout, one per engine setting.
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
    lat = np.array(lat)
    return ids, float(np.percentile(lat, 50)), float(np.percentile(lat, 99)), float(lat.mean())


def recall10(ids, gt):
    hits = 0
    for got, want in zip(ids, gt):
        hits += len(set(int(x) for x in got[:10]) & set(int(x) for x in want[:10]))
    return hits / (10.0 * len(ids))


def rank1(ids, gt):
    return float(np.mean([len(got) > 0 and int(got[0]) == int(want[0]) for got, want in zip(ids, gt)][:len(ids)]))


def emit(row):
    print(json.dumps(row), flush=True)


def main():
    p = json.loads(sys.argv[1])
    work, dim = p["work_dir"], p["dim"]
    base = load(os.path.join(work, "base.f32"), dim, np.float32)
    fresh = load(os.path.join(work, "fresh.f32"), dim, np.float32)
    dup = load(os.path.join(work, "dup.f32"), dim, np.float32)
    gt_fresh = load(os.path.join(work, "gt_fresh.i32"), 10, np.int32)
    gt_dup = load(os.path.join(work, "gt_dup.i32"), 1, np.int32)
    n = base.shape[0]
    exact_q = p["exact_queries"]

    import faiss
    faiss.omp_set_num_threads(p["build_threads"])
    flat = faiss.IndexFlatIP(dim)
    t0 = time.perf_counter()
    flat.add(base)
    build = time.perf_counter() - t0
    faiss.omp_set_num_threads(1)
    ids, p50, p99, mean = latency_run(lambda q: flat.search(q[None, :], 10)[1][0], fresh[:exact_q])
    dids, _, _, _ = latency_run(lambda q: flat.search(q[None, :], 1)[1][0], dup[:exact_q])
    emit(dict(engine="faiss IndexFlatIP", params="", build_s=build, index_mb=n * dim * 4 / 2**20,
              p50_ms=p50, p99_ms=p99, mean_ms=mean, recall10=recall10(ids, gt_fresh), rank1_dup=rank1(dids, gt_dup)))

    faiss.omp_set_num_threads(p["build_threads"])
    hnsw = faiss.IndexHNSWFlat(dim, p["m"], faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = p["beam_width"]
    t0 = time.perf_counter()
    hnsw.add(base)
    build = time.perf_counter() - t0
    size_mb = len(faiss.serialize_index(hnsw)) / 2**20
    faiss.omp_set_num_threads(1)
    for ef in p["ef"]:
        hnsw.hnsw.efSearch = ef
        ids, p50, p99, mean = latency_run(lambda q: hnsw.search(q[None, :], 10)[1][0], fresh)
        dids, _, _, _ = latency_run(lambda q: hnsw.search(q[None, :], 1)[1][0], dup)
        emit(dict(engine="faiss IndexHNSWFlat", params="M=%d efC=%d efSearch=%d" % (p["m"], p["beam_width"], ef),
                  ef=ef, build_s=build, index_mb=size_mb, p50_ms=p50, p99_ms=p99, mean_ms=mean,
                  recall10=recall10(ids, gt_fresh), rank1_dup=rank1(dids, gt_dup)))
    del hnsw

    import hnswlib
    h = hnswlib.Index(space="ip", dim=dim)
    h.init_index(max_elements=n, ef_construction=p["beam_width"], M=p["m"])
    t0 = time.perf_counter()
    h.add_items(base, np.arange(n), num_threads=p["build_threads"])
    build = time.perf_counter() - t0
    tmp = os.path.join(work, "hnswlib.bin")
    h.save_index(tmp)
    size_mb = os.path.getsize(tmp) / 2**20
    os.remove(tmp)
    h.set_num_threads(1)
    for ef in p["ef"]:
        h.set_ef(max(ef, 10))
        ids, p50, p99, mean = latency_run(lambda q: h.knn_query(q[None, :], k=10)[0][0], fresh)
        dids, _, _, _ = latency_run(lambda q: h.knn_query(q[None, :], k=1)[0][0], dup)
        emit(dict(engine="hnswlib", params="M=%d efC=%d ef=%d" % (p["m"], p["beam_width"], max(ef, 10)),
                  ef=ef, build_s=build, index_mb=size_mb, p50_ms=p50, p99_ms=p99, mean_ms=mean,
                  recall10=recall10(ids, gt_fresh), rank1_dup=rank1(dids, gt_dup)))


if __name__ == "__main__":
    main()
