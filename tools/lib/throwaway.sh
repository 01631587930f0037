# Shell helpers for the scripts in tools/ (sourced, not run): a throwaway PostgreSQL, a
# trondev chain and a bttnode, all on loopback, all stopped and removed by `throwaway_cleanup`
# (install it with `trap throwaway_cleanup EXIT INT TERM`). Every wait is bounded.
#   throwaway_init             work folder in $work (owned by postgres when run as root)
#   throwaway_pg               PostgreSQL 15, durable commits; sets $db, $pg_pid
#   throwaway_chain N BLOCK_MS SOLID_LAG
#                              trondev with N funded accounts; sets $tron, $tron_solid,
#                              $genesis_keys
#   throwaway_node CONFIG_EXTRA [FLAG...]
#                              bttnode with a generated config (escrow = account 0, receipt
#                              key = a fresh key) and the extra command-line FLAGs (dotted
#                              key overrides); sets $node, $node_pid, $escrow
#   throwaway_track PID        one more process for throwaway_cleanup to stop (first)

pgbin=${BTT_PG_BINDIR:-/usr/lib/postgresql/15/bin}
as_pg=()
chain_pid=""
node_pid=""
tracked_pids=()

throwaway_init() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/btt-XXXXXX")
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$work"
        chmod 755 "$work"
        as_pg=(runuser -u postgres --)
    fi
}

throwaway_track() {
    tracked_pids+=("$1")
}

throwaway_cleanup() {
    local pid
    # (`|| true`: under set -e a process that exits non-zero when stopped must not end the
    # cleanup before PostgreSQL is stopped)
    for pid in "${tracked_pids[@]}"; do
        { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
    done
    for pid in "${node_pid:-}" "${chain_pid:-}"; do
        [ -n "$pid" ] || continue
        { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
    done
    if [ -n "${work:-}" ]; then
        "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
        [ "${keep:-0}" = 1 ] || rm -rf "$work"
    fi
}

throwaway_pg() {
    local port=$(( 20000 + RANDOM % 20000 ))
    "${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust --no-locale -E UTF8 >/dev/null
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
        -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work" start >/dev/null
    db="host=127.0.0.1 port=$port user=postgres dbname=postgres"
    pg_pid=$(head -1 "$work/pg/postmaster.pid")
}

throwaway_chain() {
    local accounts=$1 block_ms=$2 solid_lag=$3
    "$trondev" genesis --accounts "$accounts" --trx-each 100000000000 --token 1002000 \
        --token-each 1000000000000000 --out "$work/genesis.json" >/dev/null
    genesis_keys="$work/genesis.json.keys.json"
    "$trondev" --genesis "$work/genesis.json" --listen 127.0.0.1:0 --solidity-listen 127.0.0.1:0 \
        --block-ms "$block_ms" --solid-lag "$solid_lag" > "$work/trondev.log" 2>&1 &
    chain_pid=$!
    for _ in $(seq 1 100); do grep -q 'full node' "$work/trondev.log" && break; sleep 0.1; done
    tron=$(sed -n 's/.*full node \([0-9.:]*\),.*/\1/p' "$work/trondev.log")
    tron_solid=$(sed -n 's/.*solidity \([0-9.:]*\),.*/\1/p' "$work/trondev.log")
    [ -n "$tron" ] || { cat "$work/trondev.log" >&2; return 1; }
}

# The private key of genesis account I (0-based) into FILE (mode 0600).
genesis_key() {
    (umask 077; sed -n 's/.*"private_key": "\([0-9a-f]*\)".*/\1/p' "$genesis_keys" | sed -n "$(( $1 + 1 ))p" > "$2")
}

throwaway_node() {
    local extra=${1:-}
    [ $# -gt 0 ] && shift
    genesis_key 0 "$work/escrow.key"
    (umask 077; "$ctl" key new | awk -F': ' '$1 == "private_key" { print $2 }' > "$work/receipt.key")
    escrow=$("$ctl" key address --private-key-file "$work/escrow.key" | awk -F': ' '$1 == "address" { print $2 }')
    cat > "$work/bttnode.toml" <<TOML
[node]
listen = "127.0.0.1:0"
metrics_listen = ""
receipt_key_file = "$work/receipt.key"
[escrow]
address = "$escrow"
key_file = "$work/escrow.key"
[tron]
full_node = "$tron"
solidity_node = "$tron_solid"
start_block = 0
poll_ms = 200
[database]
url = "$db"
$extra
TOML
    "$bttnode" --config "$work/bttnode.toml" "$@" > "$work/bttnode.log" 2>&1 &
    node_pid=$!
    for _ in $(seq 1 300); do grep -q 'health: SERVING' "$work/bttnode.log" && break; sleep 0.1; done
    grep -q 'health: SERVING' "$work/bttnode.log" || { cat "$work/bttnode.log" >&2; return 1; }
    node="127.0.0.1:$(sed -n 's/.*listening on [^ ]* (port \([0-9]*\)[,)].*/\1/p' "$work/bttnode.log" | head -1)"
}
