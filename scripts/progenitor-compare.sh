#!/usr/bin/env bash
# Compile time of vod-client against the crate progenitor generates from the same API.
#
#   scripts/progenitor-compare.sh            # debug and release, 3 runs each
#   RUNS=5 scripts/progenitor-compare.sh
#
# What it does, all outside the workspace (progenitor is never a dependency of this project):
#   1. installs cargo-progenitor $PROGENITOR_VERSION into $WORK/tool (once);
#   2. writes the OpenAPI 3.0 export of api-spec/ (`cargo xtask openapi --version 3.0`, the same
#      API as docs/openapi.json, which is 3.1) and generates a client crate (builder interface)
#      from it into $WORK/vod-progenitor;
#   3. builds each crate's dependencies once per profile, then times rebuilding just the crate
#      itself (touch its lib.rs) with CARGO_INCREMENTAL=0, RUNS times, interleaving the two crates;
#   4. prints each time, the medians and the ratio vod-client / progenitor.
#
# vod-client is built as a user gets it: default features (no emulator, no CLI), lib only.
# progenitor reads OpenAPI 3.0 only; SPEC overrides the generated 3.0 file (checked to be 3.0).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/progenitor-compare}
mkdir -p "$WORK"
if [ -z "${SPEC:-}" ]; then
  SPEC=$WORK/openapi-3.0.json
  (cd "$ROOT" && cargo xtask openapi --version 3.0 --out "$SPEC")
fi
RUNS=${RUNS:-3}
PROGENITOR_VERSION=${PROGENITOR_VERSION:-0.15.1}
PROFILES=${PROFILES:-"debug release"}
# Builder style is the closer match to vod-client's `client.op().setter(..).send()`.
INTERFACE=${INTERFACE:-builder}

version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("openapi",""))' "$SPEC")
case "$version" in
  3.0.*) ;;
  *) echo "error: $SPEC is OpenAPI '$version'; progenitor $PROGENITOR_VERSION reads 3.0.x only." >&2
     echo "       Set SPEC to a 3.0 export of the same API." >&2
     exit 2 ;;
esac

if [ ! -x "$WORK/tool/bin/cargo-progenitor" ]; then
  echo "== installing cargo-progenitor $PROGENITOR_VERSION into $WORK/tool"
  cargo install --quiet --locked cargo-progenitor --version "$PROGENITOR_VERSION" --root "$WORK/tool"
fi

echo "== generating from $SPEC"
rm -rf "$WORK/vod-progenitor"
"$WORK/tool/bin/cargo-progenitor" progenitor -i "$SPEC" -o "$WORK/vod-progenitor" \
  -n vod-progenitor -v 0.1.0 --interface "$INTERFACE" > "$WORK/generate.log"
# Its own workspace, so Cargo does not look for one above /tmp.
grep -q '^\[workspace\]' "$WORK/vod-progenitor/Cargo.toml" || printf '\n[workspace]\n' >> "$WORK/vod-progenitor/Cargo.toml"
echo "generated: $(wc -l < "$WORK/vod-progenitor/src/lib.rs") lines in src/lib.rs"
echo "vod-client: $(cat "$ROOT"/vod-client/src/generated/*.rs | wc -l) generated lines, $(find "$ROOT/vod-client/src" -name '*.rs' -not -path '*/generated/*' -not -path '*/emulator/*' -not -path '*/cli/*' -not -name '*tests.rs' -print0 | xargs -0 cat | wc -l) runtime lines"

export CARGO_INCREMENTAL=0
flag() { [ "$1" = release ] && echo --release || true; }

build_ours() { (cd "$ROOT" && cargo build --quiet -p vod-client --lib $(flag "$1")); }
# Its target dir sits beside the generated crate, so regenerating keeps the built dependencies.
build_theirs() { (cd "$WORK/vod-progenitor" && CARGO_TARGET_DIR="$WORK/target" cargo build --quiet --lib $(flag "$1")); }

now() { date +%s.%N; }
timed() { local t0; t0=$(now); "$@"; python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$t0" "$(now)"; }

for profile in $PROFILES; do
  echo "== $profile: dependencies (untimed)"
  build_ours "$profile"
  build_theirs "$profile"
  ours=() theirs=()
  for run in $(seq "$RUNS"); do
    # Alternate which crate goes first, so neither always gets the quieter moment.
    for side in $([ $((run % 2)) = 1 ] && echo "ours theirs" || echo "theirs ours"); do
      if [ "$side" = ours ]; then
        touch "$ROOT/vod-client/src/lib.rs"
        t=$(timed build_ours "$profile"); ours+=("$t")
      else
        touch "$WORK/vod-progenitor/src/lib.rs"
        t=$(timed build_theirs "$profile"); theirs+=("$t")
      fi
      echo "$profile run $run $side: $t s"
    done
  done
  python3 - "$profile" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
profile, ours, theirs = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mo, mt = statistics.median(ours), statistics.median(theirs)
print(f"{profile}: vod-client median {mo:.2f} s (min {min(ours):.2f}, max {max(ours):.2f}); "
      f"progenitor median {mt:.2f} s (min {min(theirs):.2f}, max {max(theirs):.2f}); "
      f"ratio {mo/mt:.2f}")
PY
done
