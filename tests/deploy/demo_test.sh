#!/usr/bin/env bash
# The small demo of issue 13 with issue 14's torrent act (tools/demo --payers 10 --seconds 5
# --torrent), as tools/test runs it: it must exit 0, and its --json report must carry the
# promised fields with every payout confirmed, the reconciliation exact, the audit verified,
# and the torrent act's file identical with the seeder paid exactly pieces x price - fee.
# Bad usage, and --torrent without a built bttorrent, exit 2 before anything starts.
#
#   demo_test.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1 build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-demo-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for bad in "--payers 0" "--seconds x" "--no-such-option" "--torrent --payers 9999"; do
    status=0
    # shellcheck disable=SC2086
    "$root/tools/demo" --no-build --build-dir "$build" $bad > "$tmp/out" 2>&1 || status=$?
    [ "$status" = 2 ] || { cat "$tmp/out" >&2; fail "tools/demo $bad: exit $status, expected 2"; }
done
echo "ok: bad usage exits 2"

# A build folder with the demo's other programs but no bttorrent: --torrent must refuse it.
mkdir -p "$tmp/partial/tools" "$tmp/partial/node" "$tmp/partial/tron/trondev"
for exe in tools/bttctl tools/bttload node/bttnode tron/trondev/trondev; do
    ln -s "$build/$exe" "$tmp/partial/$exe"
done
status=0
"$root/tools/demo" --no-build --build-dir "$tmp/partial" --torrent > "$tmp/out" 2>&1 || status=$?
if [ "$status" != 2 ] || ! grep -q 'bttorrent is not built' "$tmp/out"; then
    cat "$tmp/out" >&2
    fail "tools/demo --torrent without bttorrent: exit $status, expected 2"
fi
echo "ok: --torrent without bttorrent exits 2"

status=0
"$root/tools/demo" --no-build --build-dir "$build" --payers 10 --seconds 5 --torrent --json > "$tmp/report.json" || status=$?
cat "$tmp/report.json"
[ "$status" = 0 ] || fail "tools/demo exited $status"
cmake -DREPORT="$tmp/report.json" -DCHANNELS=10 -DTORRENT=ON -P "$root/tests/deploy/demo_report.cmake"
