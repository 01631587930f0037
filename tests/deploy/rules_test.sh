#!/usr/bin/env bash
# deploy/prometheus: `promtool check rules` accepts the alert rules, `promtool test rules`
# passes their unit tests, every alert has at least one test in which it fires, and a
# broken copy of each (a wrong threshold, a syntax error) is refused, so both checks can
# fail.
#
#   rules_test.sh DEPLOY_PROMETHEUS_DIR
set -euo pipefail
dir=$1
promtool=${PROMTOOL:-promtool}
command -v "$promtool" >/dev/null || { echo "FAIL: promtool not found (Debian package prometheus; tools/install-deps)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-deploy-rules-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$promtool" check rules "$dir/bttnode-rules.yml"
(cd "$dir" && "$promtool" test rules bttnode-rules.test.yml)

# Every alert is tested firing (an exp_alerts list with labels, not only `[]`).
sed -n 's/^ *- alert: *//p' "$dir/bttnode-rules.yml" | sort > "$tmp/alerts"
[ "$(wc -l < "$tmp/alerts")" -ge 10 ] || fail "only $(wc -l < "$tmp/alerts") alerts in the rules"
awk '/alertname:/ { name = $2; next } /exp_labels:/ { print name }' "$dir/bttnode-rules.test.yml" | sort -u > "$tmp/fired"
untested=$(comm -23 "$tmp/alerts" "$tmp/fired")
[ -z "$untested" ] || fail "alerts never tested firing: $(echo $untested)"
for topic in Deficit Stalled SolidLag Intake CommitFailures StoreUnavailable; do
    grep -q "Bttnode.*$topic" "$tmp/alerts" || fail "no alert about $topic"
done
echo "ok: $(wc -l < "$tmp/alerts") alerts, each tested firing"

# Failure paths. A deficit alert that waits for 1,000 units instead of 1 must fail the
# unit test (the test expects it to fire at 500).
cp "$dir/bttnode-rules.test.yml" "$tmp/"
sed 's/expr: bttnode_reconcile_deficit > 0/expr: bttnode_reconcile_deficit > 1000/' \
    "$dir/bttnode-rules.yml" > "$tmp/bttnode-rules.yml"
! cmp -s "$dir/bttnode-rules.yml" "$tmp/bttnode-rules.yml" || fail "could not alter the deficit rule"
if (cd "$tmp" && "$promtool" test rules bttnode-rules.test.yml > "$tmp/out" 2>&1); then
    fail "promtool test rules passed with a deficit alert that never fires"
fi
grep -q BttnodeReconcileDeficit "$tmp/out" || fail "the failing test does not name BttnodeReconcileDeficit"
# A rule with an invalid expression must fail `check rules`.
sed 's/expr: bttnode_store_up == 0/expr: bttnode_store_up ==/' "$dir/bttnode-rules.yml" > "$tmp/broken.yml"
if "$promtool" check rules "$tmp/broken.yml" > "$tmp/out" 2>&1; then
    fail "promtool check rules accepted an invalid expression"
fi
echo "ok: a weakened rule fails the unit tests, an invalid one fails check rules"
