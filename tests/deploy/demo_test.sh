#!/usr/bin/env bash
# The small demo of issue 13 (tools/demo --payers 10 --seconds 5), as tools/test runs it:
# it must exit 0, and its --json report must carry the promised fields with every payout
# confirmed, the reconciliation exact and the audit verified. Bad usage exits 2 before
# anything starts.
#
#   demo_test.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1 build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-demo-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for bad in "--payers 0" "--seconds x" "--no-such-option"; do
    status=0
    # shellcheck disable=SC2086
    "$root/tools/demo" --no-build --build-dir "$build" $bad > "$tmp/out" 2>&1 || status=$?
    [ "$status" = 2 ] || { cat "$tmp/out" >&2; fail "tools/demo $bad: exit $status, expected 2"; }
done
echo "ok: bad usage exits 2"

status=0
"$root/tools/demo" --no-build --build-dir "$build" --payers 10 --seconds 5 --json > "$tmp/report.json" || status=$?
cat "$tmp/report.json"
[ "$status" = 0 ] || fail "tools/demo exited $status"
cmake -DREPORT="$tmp/report.json" -DCHANNELS=10 -P "$root/tests/deploy/demo_report.cmake"
