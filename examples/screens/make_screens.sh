#!/usr/bin/env bash
# Re-renders the bundled sample screenshots from src/*.html with Debian's headless Chromium.
# Only needed to change the samples; `make demo` uses the committed PNGs.
set -euo pipefail
cd "$(dirname "$0")"
for page in src/*.html; do
  name=$(basename "$page" .html)
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --force-device-scale-factor=1 \
    --window-size=1280,800 --screenshot="$PWD/$name.png" "file://$PWD/$page" 2>/dev/null
  echo "wrote $name.png"
done
