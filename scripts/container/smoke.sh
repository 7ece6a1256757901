#!/usr/bin/env bash
# Smoke test of the image: start it with a mounted runtime.json (the tiny model, written into the models volume at
# start), wait for /readyz, send a run request and a streamed one, stop it, and check that it exited cleanly.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/container/build.sh
work=$(mktemp -d)
trap 'podman rm -f ember-smoke >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cat > "$work/runtime.json" <<'JSON'
{ "Ember": { "Models": { "@ember/tiny-llama": { "Folder": "/models/tiny-llama/int8", "Variant": "Int8", "Generate": "tiny" } } } }
JSON
mkdir -p "$work/models" && chmod 777 "$work/models"
port=18787
podman run -d --name ember-smoke -p 127.0.0.1:$port:8787 -v "$work/runtime.json:/etc/ember/runtime.json:ro" \
  -v "$work/models:/models" -e Auth__Tokens__0=smoke-token localhost/ember:cpu >/dev/null
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { podman logs ember-smoke; echo "not ready"; exit 1; }
# The image's own HEALTHCHECK (on /readyz) answers healthy too.
podman healthcheck run ember-smoke 2>/dev/null || { echo "healthcheck failed"; exit 1; }
B="http://127.0.0.1:$port/client/v4/accounts/smoke/ai"
whole=$(curl -sf "$B/run/@ember/tiny-llama" -H 'Authorization: Bearer smoke-token' -H 'Content-Type: application/json' -d '{"prompt":"hi","max_tokens":4,"temperature":0}')
echo "$whole" | grep -q '"success":true' || { echo "run failed: $whole"; exit 1; }
stream=$(curl -sfN "$B/run/@ember/tiny-llama" -H 'Authorization: Bearer smoke-token' -H 'Content-Type: application/json' -d '{"prompt":"hi","max_tokens":4,"temperature":0,"stream":true}')
echo "$stream" | grep -q 'data: \[DONE\]' || { echo "stream failed: $stream"; exit 1; }
podman stop -t 30 ember-smoke >/dev/null
code=$(podman inspect ember-smoke --format '{{.State.ExitCode}}')
[ "$code" = "0" ] || { podman logs ember-smoke; echo "exited with $code"; exit 1; }
echo "container smoke test passed: $whole"
