#!/usr/bin/env bash
# The documented long run: every target (or those named), one at a time, for SECONDS each
# (default 600), from its checked-in seeds; logs in artifacts/long-run/<target>.log, new inputs
# in corpus/<target>/, crashes in artifacts/<target>/. Usage: ./long-run.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(signer resume spec callback answer emulator cli_input_json)
flags=(--sanitizer none -a)
cargo +nightly fuzz build "${flags[@]}"
mkdir -p artifacts/long-run
for target in "${targets[@]}"; do
  mkdir -p "corpus/${target}"
  echo "$(date -u +%FT%TZ) start ${target}" >> artifacts/long-run/progress.log
  cargo +nightly fuzz run "${flags[@]}" "${target}" "corpus/${target}" "seeds/${target}" -- \
    -max_total_time="${seconds}" -print_final_stats=1 > "artifacts/long-run/${target}.log" 2>&1
  rc=$?
  echo "$(date -u +%FT%TZ) end ${target} exit ${rc}" >> artifacts/long-run/progress.log
done
