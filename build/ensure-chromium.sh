#!/usr/bin/env bash
# Installs the browser the studio's tests drive (Debian's chromium) when it is missing.
# Run by the studio test project's build, so a fresh machine needs nothing done by hand.
# Playwright's own browser download is not reachable here; the tests launch this one.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; install Chromium and set NPE_CHROMIUM to its path." >&2
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then sudo="sudo -n"; fi
echo "ensure-chromium: installing Debian's chromium for the studio's browser tests…" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
$sudo apt-get install -y -qq --no-install-recommends chromium >&2
