#!/usr/bin/env bash
# Policy evaluation benchmark, one command: builds dist/ when it is missing or stale, then runs
# run.mjs (50 rules x 1,000 findings, in-process). Figures are printed last.
# Exit 0 even when the target is missed; non-zero only when the benchmark cannot run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# Rebuild when dist/ is missing or older than the engine's sources (a stale build measures old code).
built="$repo/dist/src/policy/index.js"
if [[ ! -f "$built" || -n "$(find "$repo/src/policy" "$repo/src/core" -name '*.ts' ! -name '*.test.ts' -newer "$built" -print -quit)" ]]; then
  echo "[bench] building portcullis (npm run build)" >&2
  (cd "$repo" && npm run build >/dev/null)
fi
node "$here/run.mjs" "$@"
