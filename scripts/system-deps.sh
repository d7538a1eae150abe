#!/usr/bin/env bash
# Debian packages and npm tools the test suite needs; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVuSans" || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: please install ${need[*]} (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Node tools for the export-consumer tests, from the committed lockfile, offline afterwards.
# `npm install`, not `npm ci`: npm 11 refuses `ci` for Tailwind's per-platform optional
# packages ("Missing: @tailwindcss/oxide-... from lock file") although `install` resolves the
# same pinned tree from the same lockfile and leaves it unchanged.
if [ -f tools/package-lock.json ]; then
  if [ ! -d tools/node_modules ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
    (cd tools && npm install --no-audit --no-fund --loglevel=error)
  fi
fi
