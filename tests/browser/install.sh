#!/bin/sh
# tests/browser/install.sh DIR — installs the browser test's driver, playwright-core at the
# version pinned in tests/browser/package-lock.json, with `npm ci` into DIR/node_modules
# (build/browser by default). It never downloads a browser: the test drives Debian's
# chromium. Does nothing when DIR already holds that lock file's install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../build/browser}
mkdir -p "$dir"
if [ -f "$dir/node_modules/playwright-core/package.json" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 1; }
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 ||
  { grep -m 3 -i "error" npm.log >&2 || tail -n 3 npm.log >&2; exit 1; }
