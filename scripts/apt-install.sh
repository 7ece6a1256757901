#!/usr/bin/env bash
# Installs Debian packages with apt-get, on a fresh machine too: one that never ran `apt-get update` has no package
# lists, so `apt-get install` cannot locate anything ("Unable to locate package"). The install is tried first (no
# download when the lists are there), and after a failure the lists are refreshed and the install tried once more.
# Says on standard error what it does; apt's own output goes to standard output.
#
#   scripts/apt-install.sh PACKAGE...
#
# Every install step of the tests and scripts goes through here (the browser tests' chromium, the container build's
# podman, debootstrap and runc, the smoke test's curl). EMBER_APT_OPTIONS adds options to every apt-get call:
# AptInstallScriptTests runs it with `-o Dir::State::Lists=<empty folder>` (and a throwaway status file and cache),
# which is what apt sees on a fresh machine, and with `-o APT::Get::Simulate=true`, so nothing is installed.
# Needs root, except under a simulation.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/apt-install.sh PACKAGE..." >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
read -r -a options <<< "${EMBER_APT_OPTIONS:-}"

echo "apt-install: apt-get install -y $*" >&2
if apt-get "${options[@]}" install -y "$@"; then
  exit 0
fi

echo "apt-install: the install failed (a machine that never ran apt-get update has no package lists): apt-get update, then the install once more" >&2
apt-get "${options[@]}" update
apt-get "${options[@]}" install -y "$@"
echo "apt-install: installed $* after apt-get update" >&2
