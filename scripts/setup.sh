#!/usr/bin/env bash
# Sets up a fresh machine: Debian packages the project runs (when missing), npm dependencies, the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

# espeak-ng: the offline voice; pocketsphinx(+en-us): optional offline English keywords; -testdata: a real recording for its test; sox: handy for converting WAVs
# postgresql: the records tests run the same suite against a real Postgres (the harness starts its own server in a temp dir)
# chromium: the headless browser the console tests drive (playwright-core, never a downloaded browser)
APT_PACKAGES=(espeak-ng sox pocketsphinx pocketsphinx-en-us pocketsphinx-testdata postgresql chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]} (install them with your package manager; the offline voice needs espeak-ng)" >&2
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "setup: build"
npm run build --silent
echo "setup: done"
