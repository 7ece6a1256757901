#!/usr/bin/env bash
# Runs on the CUDA machine, from the folder prepare.sh wrote: unpacks, puts the CUDA 13 libraries it finds on the
# library path, and runs the GPU check (the small preset at 1, 16 and 64 sequences, unless arguments say otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
app=$(mktemp -d)
xz -dc "$here/app.tar.xz" | tar xf - -C "$app"
xz -dc "$here/cuda-ep.so.xz" > "$app/libonnxruntime_providers_cuda.so"
libs=$(find / -xdev \( -name 'libcublasLt.so.13*' -o -name 'libcudart.so.13*' -o -name 'libcurand.so.10*' \) -printf '%h\n' 2>/dev/null | sort -u | paste -sd: -)
export LD_LIBRARY_PATH="$app${libs:+:$libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CUDA_MODULE_LOADING=LAZY
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if [ "$#" -eq 0 ]; then
  set -- --gpu-check --provider cuda --preset small --concurrency 1,16,64 --max-tokens 64
fi
# ONNX Runtime's verbose start-up log of the device session is filtered to where the nodes were placed, and errors.
"$app/Ember.Benchmark" "$@" 2> >(grep -E -i 'placed on|placements|ExecutionProvider\]|error|fail|exception|warn' >&2)
