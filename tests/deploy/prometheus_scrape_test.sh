#!/usr/bin/env bash
# A real Prometheus scrapes a running bttnode. Starts a throwaway PostgreSQL, trondev and
# bttnode (metrics on a free loopback port), then Prometheus with
# deploy/prometheus/prometheus.example.yml pointed at that node (1 s scrapes, the rules of
# deploy/prometheus loaded), all on loopback. Through Prometheus's own HTTP API (promtool
# query: /api/v1/query, /api/v1/series, /api/v1/label/__name__/values) it checks that
#   - the node's series arrive (bttnode_build_info{job="bttnode"} = 1, up = 1);
#   - every metric name the alert rules and the Grafana dashboard use is among the names
#     scraped from the node (a histogram counts by its _bucket/_sum/_count series);
#   - every dashboard query runs (dashboard variables replaced) without an error.
# A made-up name is reported missing by the same check, so it can fail. Every wait is
# bounded; everything started is stopped on exit.
#
#   prometheus_scrape_test.sh REPO_ROOT BUILD_DIR
set -euo pipefail
root=$1
build=$(cd "$2" && pwd)
ctl=$build/tools/bttctl
trondev=$build/tron/trondev/trondev
bttnode=$build/node/bttnode
prometheus=${PROMETHEUS:-prometheus}
promtool=${PROMTOOL:-promtool}
for exe in "$prometheus" "$promtool"; do
    command -v "$exe" >/dev/null || { echo "FAIL: $exe not found (Debian package prometheus; tools/install-deps)" >&2; exit 1; }
done
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tools/lib/throwaway.sh"
throwaway_init
prom_pid=""
cleanup() {
    [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
    throwaway_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

throwaway_pg
throwaway_chain 2 300 2
throwaway_node "" --node.metrics_listen 127.0.0.1:0
metrics_port=$(sed -n 's/.*metrics on .* (port \([0-9]*\)).*/\1/p' "$work/bttnode.log" | head -1)
[ -n "$metrics_port" ] || { cat "$work/bttnode.log" >&2; fail "the node logged no metrics port"; }
echo "node $node, metrics on 127.0.0.1:$metrics_port"

# Prometheus on a free loopback port: ports in use answer a connect; a lost race shows in
# its log ("address already in use") and the next port is tried.
mkdir -p "$work/prom"
sed -e "s#\"127.0.0.1:9464\"#\"127.0.0.1:$metrics_port\"#" \
    -e "s#/etc/prometheus/bttnode-rules.yml#$root/deploy/prometheus/bttnode-rules.yml#" \
    -e 's#scrape_interval: 15s#scrape_interval: 1s#' -e 's#evaluation_interval: 15s#evaluation_interval: 1s#' \
    "$root/deploy/prometheus/prometheus.example.yml" > "$work/prom/prometheus.yml"
grep -q "127.0.0.1:$metrics_port" "$work/prom/prometheus.yml" || fail "could not point the example config at the node"
"$promtool" check config "$work/prom/prometheus.yml" >/dev/null
server=""
for _ in $(seq 1 10); do
    port=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    "$prometheus" --config.file "$work/prom/prometheus.yml" --storage.tsdb.path "$work/prom/data" \
        --web.listen-address "127.0.0.1:$port" > "$work/prom/log" 2>&1 &
    prom_pid=$!
    for _ in $(seq 1 100); do
        grep -q 'Server is ready to receive web requests' "$work/prom/log" && break
        kill -0 "$prom_pid" 2>/dev/null || break
        sleep 0.1
    done
    if grep -q 'Server is ready to receive web requests' "$work/prom/log"; then
        server="http://127.0.0.1:$port"
        break
    fi
    kill "$prom_pid" 2>/dev/null; wait "$prom_pid" 2>/dev/null || true
    prom_pid=""
    grep -q 'address already in use' "$work/prom/log" || { cat "$work/prom/log" >&2; fail "prometheus did not start"; }
done
[ -n "$server" ] || fail "no free port for prometheus after 10 tries"
echo "prometheus $server"

# The node's series, through /api/v1/query (bounded: 30 s, a few scrapes at 1 s).
found=""
for _ in $(seq 1 60); do
    found=$("$promtool" query instant "$server" 'bttnode_build_info{job="bttnode"} == 1' 2>/dev/null || true)
    [ -n "$found" ] && break
    sleep 0.5
done
[ -n "$found" ] || { tail -20 "$work/prom/log" >&2; fail "no bttnode_build_info through Prometheus within 30 s"; }
echo "query: $found"
echo "$found" | grep -q "instance=\"127.0.0.1:$metrics_port\"" || fail "bttnode_build_info does not come from the node's target"
up=$("$promtool" query instant "$server" 'up{job="bttnode"}')
echo "$up" | grep -q '=> 1 @' || fail "up{job=\"bttnode\"} is not 1: $up"
"$promtool" query series --match='{job="bttnode", __name__=~"bttnode_.+"}' "$server" > "$work/series"
[ "$(wc -l < "$work/series")" -ge 20 ] || fail "only $(wc -l < "$work/series") bttnode series through /api/v1/series"
grep 'bttnode_proofs_total' "$work/series" | grep -q 'reason="wrong_signer"' ||
    { head -5 "$work/series" >&2; fail "no bttnode_proofs_total{reason=\"wrong_signer\"} series"; }
echo "series: $(wc -l < "$work/series") bttnode series"

# The names the rules and the dashboard use, against the names scraped from the node.
"$promtool" query labels "$server" __name__ > "$work/names"
cmake -DDASHBOARD="$root/deploy/grafana/bttnode.json" -DOUT="$work/exprs" -P "$root/tests/deploy/dashboard_exprs.cmake"
grep -ohE 'bttnode_[a-z0-9_]+' "$root/deploy/prometheus/bttnode-rules.yml" "$work/exprs" \
    "$root/deploy/grafana/bttnode.json" | sort -u > "$work/used"
missing_names() {  # NAMES-FILE: the names that no scraped series has
    local name
    while read -r name; do
        grep -qxE "${name}(_bucket|_count|_sum)?" "$work/names" || echo "$name"
    done < "$1"
}
missing=$(missing_names "$work/used")
[ -z "$missing" ] || fail "names used by the rules or the dashboard but not scraped from the node: $(echo $missing)"
echo "bttnode_no_such_metric" > "$work/made-up"
[ "$(missing_names "$work/made-up")" = bttnode_no_such_metric ] || fail "the name check does not catch a made-up name"
echo "ok: all $(wc -l < "$work/used") names used by the rules and the dashboard are scraped from the node"

# Prometheus loaded every alert rule and evaluates it without error (/api/v1/rules; plain
# HTTP/1.0 over bash's /dev/tcp, so no HTTP client is needed). Rules are evaluated every
# second: wait (bounded) until each has been evaluated once.
rules_api() {
    local port=${server##*:}
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /api/v1/rules?type=alert HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    cat <&3 > "$work/rules.json"
    exec 3<&-
}
alerts=$(sed -n 's/^ *- alert: *//p' "$root/deploy/prometheus/bttnode-rules.yml" | wc -l)
for _ in $(seq 1 40); do
    rules_api
    loaded=$(grep -o '"name":"Bttnode[A-Za-z]*"' "$work/rules.json" | wc -l)
    healthy=$(grep -o '"health":"ok"' "$work/rules.json" | wc -l)
    [ "$loaded" = "$alerts" ] && [ "$healthy" = "$alerts" ] && break
    sleep 0.5
done
[ "$loaded" = "$alerts" ] || { head -c 2000 "$work/rules.json" >&2; fail "Prometheus loaded $loaded of $alerts alert rules"; }
[ "$healthy" = "$alerts" ] || { grep -o '"lastError":"[^"]*"' "$work/rules.json" >&2; fail "only $healthy of $alerts rules evaluate without error"; }
echo "ok: Prometheus loaded and evaluates all $alerts alert rules"
# A healthy node raises no alert, not even a pending one (the chain moves every 300 ms, so
# after a few scrapes even BttnodeChainStalled's changes() sees it move).
sleep 3
active=$("$promtool" query instant "$server" 'ALERTS')
[ -z "$active" ] || fail "alerts on a healthy node: $active"
echo "ok: no alert on a healthy node"

# Every dashboard query runs against the real data (variables as Grafana would fill them).
n=0
while read -r expr; do
    q=$(sed -e 's/\$__rate_interval/1m/g' -e 's/\$job/.*/g' -e 's/\$instance/.*/g' <<<"$expr")
    "$promtool" query instant "$server" "$q" > "$work/q.out" 2>&1 || { cat "$work/q.out" >&2; fail "dashboard query fails: $q"; }
    n=$((n + 1))
done < "$work/exprs"
echo "ok: $n dashboard queries run"
