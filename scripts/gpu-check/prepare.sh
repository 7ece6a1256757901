#!/usr/bin/env bash
# Packs the GPU check for a CUDA machine without .NET, in one folder to send there (64 MiB at most):
#   app.tar.xz       the benchmark, published self-contained for linux-x64 in the Cuda flavour (trimmed,
#                    invariant globalization), ONNX Runtime's CUDA build in it
#   cuda-ep.so.xz    libonnxruntime_providers_cuda.so (284 MB as NuGet ships it: pass a pruning tool to keep only
#                    the GPU's architecture, or it will not fit)
#   run.sh           unpacks both, finds the CUDA 13 libraries on that machine and runs the check
# usage: scripts/gpu-check/prepare.sh <out folder> [pruning tool: <tool> <in.so> <out.so>]
# The model is written on arrival by the check itself; nothing of it is carried.
set -euo pipefail
out=${1:?usage: prepare.sh <out folder> [pruning tool]}
prune=${2:-}
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy of the tracked files, so the default flavour's obj/ stays as it is.
(cd "$root" && git ls-files -z | xargs -0 tar cf -) | tar xf - -C "$work"
dotnet publish "$work/tests/Benchmark" -c Release -r linux-x64 --self-contained \
  -p:OrtGenAIFlavor=Cuda -p:PublishTrimmed=true -p:TrimMode=partial -p:InvariantGlobalization=true \
  -p:DebugType=none -p:GenerateDocumentationFile=false -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true \
  -nologo -v quiet -o "$work/app"
ep="$work/app/libonnxruntime_providers_cuda.so"
[ -f "$ep" ] || { echo "the publish holds no libonnxruntime_providers_cuda.so" >&2; exit 1; }
if [ -n "$prune" ]; then
  "$prune" "$ep" "$work/cuda-ep.so"
else
  cp "$ep" "$work/cuda-ep.so"
fi
# Not needed to run: TensorRT, a stray Windows onnxruntime.dll, the debugger and tracing libraries, the standalone GCs.
rm -f "$ep" "$work/app/libonnxruntime_providers_tensorrt.so" "$work/app/onnxruntime.dll" "$work/app/libmscordaccore.so" \
  "$work/app/libmscordbi.so" "$work/app/libcoreclrtraceptprovider.so" "$work/app/libclrgc.so" "$work/app/libclrgcexp.so"
tar -C "$work/app" -cf - . | xz -T0 -9 > "$out/app.tar.xz"
xz -T0 -9 -c "$work/cuda-ep.so" > "$out/cuda-ep.so.xz"
cp "$root/scripts/gpu-check/run.sh" "$out/run.sh"
du -b "$out"/* | awk '{ total += $1; print } END { printf "%d bytes in all (%.1f MiB)\n", total, total / 1048576 }'
