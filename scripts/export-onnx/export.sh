#!/usr/bin/env bash
# Exports a catalog model with ONNX Runtime GenAI's model builder, on a machine with internet and a Hugging
# Face token that may download the weights, and prints the runtime.json entry that serves it.
#
#   scripts/export-onnx/export.sh <catalog model id> <fp16|int8|int4> <cpu|cuda|dml> [output root]
#   scripts/export-onnx/export.sh @cf/meta/llama-2-7b-chat-int8 int8 cuda models
#
# int8 needs a builder release whose -p accepts int8 (MatMulNBits with 8-bit weights); DirectML runs int4.
set -euo pipefail

usage() { sed -n '2,8p' "$0" >&2; exit 2; }
[ $# -ge 3 ] || usage
model_id=$1 variant=$2 provider=$3 root=${4:-models}

case "$model_id" in
  @cf/meta/llama-2-7b-chat-fp16|@cf/meta/llama-2-7b-chat-int8) repo=meta-llama/Llama-2-7b-chat-hf; name=llama-2-7b-chat ;;
  @cf/mistral/mistral-7b-instruct-v0.1) repo=mistralai/Mistral-7B-Instruct-v0.1; name=mistral-7b-instruct-v0.1 ;;
  @hf/codellama/codellama-7b-hf) repo=codellama/CodeLlama-7b-hf; name=codellama-7b-hf ;;
  *) echo "unknown catalog model id: $model_id" >&2; exit 2 ;;
esac
case "$variant" in fp16|int8|int4) ;; *) echo "variant must be fp16, int8 or int4" >&2; exit 2 ;; esac
case "$provider" in
  cpu) ember_provider=Cpu; scheduler=Continuous ;;
  cuda) ember_provider=Cuda; scheduler=Continuous ;;
  dml) ember_provider=Dml; scheduler=Continuous ;;
  *) echo "provider must be cpu, cuda or dml" >&2; exit 2 ;;
esac
[ "$provider" = dml ] && [ "$variant" != int4 ] && echo "warning: DirectML runs int4; $variant may not load" >&2
# The builder makes fp16 graphs for GPUs only; on the CPU provider fp16 weights are exported as fp32.
precision=$variant
[ "$provider" = cpu ] && [ "$variant" = fp16 ] && precision=fp32

out="$root/$name/$variant-$provider"
# On the CPU, 4-bit weights in blocks of 128 with int8 activations: faster than the builder's default blocks of 32, and
# resident at about their size on disk once ONNX Runtime has pre-packed them (docs/real-models.md has the figures).
extra=()
[ "$provider" = cpu ] && [ "$variant" = int4 ] && extra=(--extra_options int4_block_size=128 int4_accuracy_level=4)
python3 -m onnxruntime_genai.models.builder -m "$repo" -o "$out" -p "$precision" -e "$provider" "${extra[@]}"

Variant=$(printf '%s' "${variant:0:1}" | tr a-z A-Z)${variant:1}
cat <<JSON
Add to runtime.json under "Ember": { "Models": { ... } }:
    "$model_id": {
      "Folder": "$out",
      "Variant": "$Variant",
      "Provider": "$ember_provider",
      "Scheduler": "$scheduler",
      "SequenceCap": 8
    }
JSON
