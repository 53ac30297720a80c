#!/usr/bin/env bash
# Lints the public API documents with the validators outside tools use (lint.mjs says which), installing
# them here from package-lock.json when node_modules is missing or was installed from another lock file.
# Arguments: the documents to lint; by default the gateway's openapi.yaml and the contract's asyncapi.yaml.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
start=$SECONDS
# @redocly/cli 2.x's floor (its package.json "engines"). Debian 12's own nodejs (18) is below it and no newer one can be
# installed from its packages: there the lint is skipped, loudly, and the Java tests still run (these machines have 20)
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "API-LINT skipped: the validators need Node.js 20.19+ or 22.12+, this machine has $(node --version)" >&2
  exit 0
fi
stamp="$here/node_modules/.installed-from"
lock="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock" ]; then
  # no install scripts: the validators need none (one dependency's only script reports download analytics)
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock" >"$stamp"
  echo "API-LINT installed the validators in $((SECONDS - start)) s"
fi
if [ $# -eq 0 ]; then
  set -- "$root/gateway/src/main/resources/static/openapi.yaml" "$root/libs/telemetry-contract/asyncapi.yaml"
fi
status=0
node "$here/lint.mjs" "$@" || status=$?
echo "API-LINT took $((SECONDS - start)) s"
exit "$status"
