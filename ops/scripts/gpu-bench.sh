#!/usr/bin/env bash
# GPU benchmarks, ready for the first NVIDIA machine: `bench embed` and `bench cameras` with face.device=cuda, small
# sizes (under 5 minutes after the build), JSON written under docs/bench/ with the date and the GPU's name.
#
# Needs JDK 25 (ops/bin/java-home.sh finds it), Maven, CUDA 12 + cuDNN 9 and nvidia-smi. Builds with embed-service's
# -Pcuda profile (onnxruntime_gpu instead of the CPU runtime) into target/ only: nothing is installed into ~/.m2.
# Both benchmarks refuse to run if ONNX Runtime would fall back to the CPU, so a table labelled cuda is a GPU one.
#
#   ops/scripts/gpu-bench.sh [OUT_DIR]        (default OUT_DIR: docs/bench)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-docs/bench}"
mkdir -p "$out"
source ops/bin/java-home.sh
JAVA_HOME="$(facestream_java_home)"; export JAVA_HOME

gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)"
if [[ -z "$gpu" ]]; then
  echo "gpu-bench: no NVIDIA GPU visible (nvidia-smi found none); run this on a machine with one" >&2
  exit 1
fi
tag="$(date -u +%F)-$(tr -c 'A-Za-z0-9\n' '-' <<<"$gpu" | tr 'A-Z' 'a-z' | sed 's/--*/-/g; s/-$//')"
echo "gpu-bench: $gpu; JSON to $out/*-cuda-$tag.json"

# compile the modules with the CUDA runtime; the class path of ops is resolved in the same reactor, so embed-service's
# cuda profile decides which ONNX Runtime jar it holds (ops is last in the reactor and writes the file last)
cp_file="$PWD/ops/target/gpu-bench.classpath"
mvn -B -q -Pcuda -DskipTests compile dependency:build-classpath -pl ops -am -Dmdep.outputFile="$cp_file"
if grep -q 'onnxruntime/onnxruntime/' "$cp_file" || ! grep -q 'onnxruntime_gpu' "$cp_file"; then
  echo "gpu-bench: the class path does not hold onnxruntime_gpu alone; see $cp_file" >&2
  exit 1
fi
classes="$(ls -d "$PWD"/*/target/classes | paste -sd:)"
# an argument file: ONNX Runtime fails to start with a class path this long on the command line
args="$PWD/ops/target/gpu-bench.args"
printf -- '-cp %s:%s\n' "$classes" "$(cat "$cp_file")" >"$args"
cli=("$JAVA_HOME/bin/java" @jvm.options @"$args" io.facestream.ops.FacestreamCli)

nvidia-smi --query-gpu=name,driver_version,memory.total,utilization.gpu --format=csv | tee "$out/gpu-$tag.txt"

# MobileFaceNet batch 1/8/32; 3 interleaved rounds of 5 timed calls after 2 warm-up calls. The OpenCV peer is CPU-only
# and is left out; % of peak is not shown (the MatMul peak is the CPU's).
time "${cli[@]}" bench embed --device cuda --rounds 3 --runs 5 --warmup 2 --peers none \
  --json "$out/embed-cuda-$tag.json"

# full-frame MTCNN vs the default presets at 640x480 and 1080p on small rendered footage (4 subjects, 2 videos of
# 8 frames per resolution), 3 interleaved rounds. ms columns are the measuring thread's CPU time: on a GPU they are
# the host-side cost per frame, not the GPU's.
time "${cli[@]}" bench cameras --device cuda --rounds 3 --subjects 4 --videos 2 --frames-per-video 8 \
  --warmup-frames 4 --json "$out/cameras-cuda-$tag.json"

echo "gpu-bench: done; commit $out/*-cuda-$tag.json and $out/gpu-$tag.txt and quote them in docs/performance.md (GPU)"
