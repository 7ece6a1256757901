#!/usr/bin/env bash
# Builds Ember's CPU image (localhost/ember:cpu) on this machine, with no registry: Debian's podman, a base image made
# with debootstrap, and a self-contained publish of the host. Needs root (apt, debootstrap). About 2.5 minutes cold on
# two busy cores (debootstrap and a first publish about a minute each), a few seconds warm.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Installed when missing (scripts/apt-install.sh: apt's lists are refreshed only when the install cannot find the
# packages, as on a fresh machine; it says what it does on standard error).
if ! { command -v podman && command -v debootstrap && command -v runc; } >/dev/null; then
  echo "build.sh: podman, debootstrap or runc is missing" >&2
  scripts/apt-install.sh debootstrap podman runc >/dev/null
fi

# The three settings podman needs in this sandbox (see the container notes): limits it may set, runc, cgroupfs.
conf=/etc/containers/containers.conf
if ! grep -q 'runtime = "runc"' "$conf" 2>/dev/null; then
  mkdir -p /etc/containers
  cat >> "$conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$(( $(ulimit -Hu) < 32768 ? $(ulimit -Hu) : 32768 )):$(( $(ulimit -Hu) < 32768 ? $(ulimit -Hu) : 32768 ))"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
fi

if ! podman image exists localhost/ember-debian-base:bookworm-2; then
  rootfs=$(mktemp -d)
  # The mirror apt uses (deb822 sources first), else Debian's own.
  mirror=$( (grep -h -o '^URIs: *http[^ ]*/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null || true) | head -1 | sed 's/^URIs: *//')
  debootstrap --variant=minbase --include=libssl3,zlib1g,ca-certificates bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >/dev/null
  tar -C "$rootfs" -c . | podman import - localhost/ember-debian-base:bookworm-2 >/dev/null
  rm -rf "$rootfs"
fi

rm -rf .container/publish
dotnet publish src/Host -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -o .container/publish >/dev/null
podman build --pull=never --format docker -f Containerfile -t localhost/ember:cpu . >/dev/null
echo "built localhost/ember:cpu"
