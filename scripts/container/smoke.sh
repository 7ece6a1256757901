#!/usr/bin/env bash
# Smoke test of the image: start it without a runtime.json and with an unreadable one, and check that each start is
# refused with exit code 1 and the host's own line; then start it with a mounted runtime.json (the tiny model, written
# into the models volume at start), wait for /readyz, send a run request and a streamed one, stop it, and check that
# it exited cleanly. Needs root; installs what it needs (see build.sh) and removes its containers however it ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "scripts/container/smoke.sh needs root (apt, debootstrap, podman)" >&2; exit 1; }
command -v curl >/dev/null || scripts/apt-install.sh curl >/dev/null
scripts/container/build.sh
# Its containers, removed before (a run that was killed may have left them) and after, whatever happened.
# One name per podman rm: podman 4.3's rm -f stops at the first name that does not exist.
remove_containers() {
  for name in ember-smoke ember-smoke-no-config ember-smoke-unreadable; do
    podman rm -f "$name" >/dev/null 2>&1 || true
  done
}
remove_containers
work=$(mktemp -d)
trap 'remove_containers; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The image reads /etc/ember/runtime.json (its ENTRYPOINT passes --config). Without a readable one the host refuses to
# start; the lines are worded as EmberHost.ResolveConfigFile and ConfigurationFileException word them
# (tests/Host.Tests/EmberHostConfigFileTests.cs checks the same lines on the host).
config=/etc/ember/runtime.json
expect_refused() {
  local name=$1 expected=$2 code=0
  shift 2
  podman run --name "$name" "$@" localhost/ember:cpu >"$work/$name.run" 2>&1 || code=$?
  # The container's own standard error, without podman's messages (it says it cannot schedule the healthcheck here).
  podman logs "$name" 2>"$work/$name.err" >/dev/null
  if [ "$code" != 1 ] || [ "$(cat "$work/$name.err")" != "$expected" ]; then
    echo "$name: expected exit code 1 and \"$expected\" on standard error, got $code and:"
    cat "$work/$name.err"
    echo "podman run printed:"
    cat "$work/$name.run"
    exit 1
  fi
  podman rm "$name" >/dev/null 2>&1
}
expect_refused ember-smoke-no-config "The configuration file '$config' (--config) does not exist."
echo '{}' > "$work/unreadable.json" && chmod 000 "$work/unreadable.json"
expect_refused ember-smoke-unreadable "The configuration file '$config' cannot be read: permission denied." \
  -v "$work/unreadable.json:$config:ro"

cat > "$work/runtime.json" <<'JSON'
{ "Ember": { "Models": { "@ember/tiny-llama": { "Folder": "/models/tiny-llama/int8", "Variant": "Int8", "Generate": "tiny" } } } }
JSON
mkdir -p "$work/models" && chmod 777 "$work/models"
port=18787
podman run -d --name ember-smoke -p 127.0.0.1:$port:8787 -v "$work/runtime.json:$config:ro" \
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
echo "container smoke test passed (both starts without a readable runtime.json refused): $whole"
