#!/usr/bin/env bash
# Runs every libFuzzer target (Fuzz/Sources/CRMFuzz/Fuzz.swift) over its corpus in Fuzz/corpus.
#   scripts/fuzz.sh                 a short run of each (what `make test` does): 3,000 inputs each
#   scripts/fuzz.sh 600             ten minutes of each target (`make fuzz SECONDS=600`)
#   scripts/fuzz.sh 60 vcard csv    one minute of the named targets only
# The committed corpus (seeds and every crash input ever found, kept as regression inputs) is
# replayed first; new inputs go to a scratch folder, crashes to Fuzz/crashes/<target>/ with the
# command that reproduces them. Exits non-zero on the first target that crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-0}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
    TARGETS=(call-event-json twilio vonage asterisk asterisk-custom freeswitch 3cx ami csv vcard bus-headers bus-timeout times json-bodies form-data smtp-reply sms-webhook money calendar import-file)
fi

(cd Fuzz && swift build --build-path ../.build/fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -use-ld=lld)
FUZZ=.build/fuzz/debug/crm-fuzz

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${TARGETS[@]}"; do
    mkdir -p "Fuzz/corpus/$target" "$scratch/$target" "Fuzz/crashes/$target"
    if [ "$SECONDS_EACH" -gt 0 ]; then limit=(-max_total_time="$SECONDS_EACH"); else limit=(-runs=3000); fi
    echo "fuzz $target: ${limit[*]}"
    # Swift's own backtracer would take the trap before libFuzzer could save the input.
    if ! SWIFT_BACKTRACE=enable=no CRM_FUZZ_TARGET="$target" "$FUZZ" "${limit[@]}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="Fuzz/crashes/$target/" "$scratch/$target" "Fuzz/corpus/$target" >"$scratch/$target.log" 2>&1; then
        tail -40 "$scratch/$target.log"
        echo "fuzz $target: CRASH; reproduce with CRM_FUZZ_TARGET=$target $FUZZ Fuzz/crashes/$target/<file>"
        exit 1
    fi
    grep -E "^Done|#[0-9]+ *DONE" "$scratch/$target.log" | tail -1 || true
done
echo "fuzz: ${#TARGETS[@]} targets, no crash"
