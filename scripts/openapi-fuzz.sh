#!/usr/bin/env bash
# Fuzzes the emulator from the OpenAPI export with schemathesis, each request signed by the
# project's own signer (`vod debug-sign`, see scripts/schemathesis_hooks.py), and fails unless
# the checks not_a_server_error, response_schema_conformance and content_type_conformance
# find nothing.
#
#   scripts/openapi-fuzz.sh [MAX_EXAMPLES_PER_OPERATION]      (default 100)
#
# Environment: OPENAPI_FUZZ_SEED (default 20261201), OPENAPI_FUZZ_PORT (default 18787),
# OPENAPI_FUZZ_BUDGET_SECS (time budget of the schemathesis run, default 600).
# Needs python3 (with venv) and PyPI; everything lands in target/openapi-fuzz/ (gitignored):
# the virtual environment, the emulator's log, schemathesis' output and a per-operation tally
# of the answers (tally.json).
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES="${1:-100}"
SEED="${OPENAPI_FUZZ_SEED:-20261201}"
PORT="${OPENAPI_FUZZ_PORT:-18787}"
BUDGET="${OPENAPI_FUZZ_BUDGET_SECS:-600}"
SCHEMATHESIS_VERSION=3.39.16
# schemathesis 3.39 breaks with hypothesis releases after 6.13x ('many' object has no
# attribute 'more'), so hypothesis is pinned too.
HYPOTHESIS_VERSION=6.131.0
WORK=target/openapi-fuzz
VENV="$WORK/venv"
mkdir -p "$WORK"
started=$(date +%s)

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
fi

echo "==> building vod (the signer) and vod-emulator"
cargo build --quiet -p vod-cli -p vod-emulator --bin vod --bin vod-emulator
BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug"

ACCESS_KEY=fuzz-access-key
SECRET_KEY="fuzz-secret-$RANDOM$RANDOM"
echo "==> starting the emulator on 127.0.0.1:$PORT"
VOD_EMULATOR_ACCESS_KEY="$ACCESS_KEY" VOD_EMULATOR_SECRET_KEY="$SECRET_KEY" \
  "$BIN/vod-emulator" --listen "127.0.0.1:$PORT" --task-ms 100 --seed "$SEED" \
  >"$WORK/emulator.out" 2>"$WORK/emulator.log" &
EMULATOR_PID=$!
trap 'kill "$EMULATOR_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/emulator.out" 2>/dev/null && break
  kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$WORK/emulator.log"; exit 1; }
  sleep 0.1
done

echo "==> schemathesis: seed $SEED, at most $MAX_EXAMPLES cases per operation, budget ${BUDGET}s"
status=0
(
  cd scripts
  PYTHONPATH=. SCHEMATHESIS_HOOKS=schemathesis_hooks \
    VOD_FUZZ_VOD_BIN="$BIN/vod" VOD_FUZZ_ACCESS_KEY="$ACCESS_KEY" VOD_FUZZ_SECRET_KEY="$SECRET_KEY" \
    VOD_FUZZ_TALLY="../$WORK/tally.json" \
    timeout "$BUDGET" "../$VENV/bin/st" run ../docs/openapi.json \
    --base-url "http://127.0.0.1:$PORT" \
    --experimental=openapi-3.1 \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --hypothesis-seed "$SEED" \
    --hypothesis-max-examples "$MAX_EXAMPLES" \
    --generation-with-security-parameters false \
    --experimental-no-failfast \
    --no-color
) 2>&1 | tee "$WORK/schemathesis.txt" || status=$?

echo "==> openapi-fuzz: exit $status after $(( $(date +%s) - started ))s (log: $WORK/schemathesis.txt)"
exit "$status"
