#!/usr/bin/env bash
# deploy/bttnode.service: runs `bttnode --config /etc/bttnode/bttnode.toml` as its own
# user with the hardening the deployment promises (each directive checked by name). With
# a systemd-analyze argument it also has systemd parse the unit (`verify`, the binary
# path pointed at the build) and rate it (`security --offline`, exposure at most 2.0).
#
#   systemd_unit_test.sh UNIT_FILE [BTTNODE SYSTEMD_ANALYZE]
set -euo pipefail
unit=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
want() {  # a line of the unit, exactly
    grep -qxF "$1" "$unit" || fail "$unit lacks the line: $1"
}
want 'ExecStart=/usr/local/bin/bttnode --config /etc/bttnode/bttnode.toml'
want 'User=bttnode'
want 'Group=bttnode'
want 'NoNewPrivileges=yes'
want 'ProtectSystem=strict'
want 'ProtectHome=yes'
want 'PrivateTmp=yes'
want 'PrivateDevices=yes'
want 'CapabilityBoundingSet='
want 'AmbientCapabilities='
want 'ReadOnlyPaths=/etc/bttnode'
want 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'
want 'SystemCallFilter=@system-service'
want 'LimitCORE=0'  # keys and tokens never land in a core file
grep -q '^ReadWritePaths=' "$unit" && fail "the node writes nothing to disk: no ReadWritePaths"
echo "ok: the unit runs bttnode as user bttnode with the hardening directives"

[ $# -ge 3 ] || exit 0
bttnode=$2 analyze=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-deploy-unit-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/local/bin/bttnode#$bttnode#g" "$unit" > "$tmp/bttnode.service"
"$analyze" verify "$tmp/bttnode.service" 2>&1 | tee "$tmp/verify"
[ ! -s "$tmp/verify" ] || fail "systemd-analyze verify has complaints"
"$analyze" security --offline=true --threshold=20 "$tmp/bttnode.service" > "$tmp/security" 2>&1 ||
    { tail -30 "$tmp/security" >&2; fail "systemd-analyze security: exposure above 2.0"; }
tail -1 "$tmp/security"
# The same check refuses an unhardened unit, so it can fail.
grep -vE '^(NoNewPrivileges|CapabilityBoundingSet|ProtectSystem|SystemCallFilter|PrivateDevices|ProtectKernel|RestrictAddressFamilies|ProtectProc|ProcSubset|PrivateTmp|ProtectHome)' \
    "$tmp/bttnode.service" > "$tmp/weak.service"
if "$analyze" security --offline=true --threshold=20 "$tmp/weak.service" >/dev/null 2>&1; then
    fail "systemd-analyze security accepted an unhardened unit: the threshold is meaningless"
fi
echo "ok: systemd-analyze verifies the unit and rates its exposure at most 2.0"
