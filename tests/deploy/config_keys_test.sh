#!/usr/bin/env bash
# deploy/bttnode.example.toml against the real bttnode: every key the node knows (its
# --help lists one flag per key) is in the example and every key in the example is one the
# node knows; the example, with its /etc/bttnode paths moved into a temporary folder and
# fresh keys, passes `bttnode --check-config`; so does a variant with every optional file
# key set (auth tokens, TLS certificate, key and client CA). Failure paths: an unknown
# key, a key file others can read, and a lone tls.cert_file are refused (exit 2), so the
# check above can fail.
#
#   config_keys_test.sh BTTNODE BTTCTL EXAMPLE_TOML
set -euo pipefail
bttnode=$1 ctl=$2 example=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-deploy-config-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- the key sets -------------------------------------------------------------------------
"$bttnode" --help | grep -oE -- '--[a-z_]+\.[a-z_]+' | sed 's/^--//' | sort -u > "$tmp/node.keys"
awk '/^\[[a-z_]+\]/ { gsub(/[][]/, ""); section = $1; next }
     /^[a-z_]+ *=/ { sub(/ *=.*/, ""); print section "." $0 }' "$example" | sort > "$tmp/example.keys.all"
sort -u "$tmp/example.keys.all" > "$tmp/example.keys"
[ "$(wc -l < "$tmp/node.keys")" -ge 30 ] || fail "bttnode --help lists only $(wc -l < "$tmp/node.keys") keys"
dups=$(uniq -d "$tmp/example.keys.all")
[ -z "$dups" ] || fail "keys set twice in the example: $dups"
missing=$(comm -23 "$tmp/node.keys" "$tmp/example.keys")
[ -z "$missing" ] || fail "keys bttnode accepts but the example lacks: $(echo $missing)"
unknown=$(comm -13 "$tmp/node.keys" "$tmp/example.keys")
[ -z "$unknown" ] || fail "keys in the example that bttnode does not know: $(echo $unknown)"
# Every key has a comment that names its default (or says it is required).
awk '/^#/ { text = text " " $0; next }
     /^[a-z_]+ *=/ { if (text !~ /Default|REQUIRED|Defaults/) print $1; next }
     /^\[/ || /^$/ { text = "" }' "$example" > "$tmp/undocumented"
[ ! -s "$tmp/undocumented" ] || fail "keys without a default or REQUIRED in their comment: $(tr '\n' ' ' < "$tmp/undocumented")"
echo "ok: the example has exactly the $(wc -l < "$tmp/node.keys") keys bttnode accepts, each documented"

# --- the example passes --check-config ------------------------------------------------------
umask 077
mkdir -p "$tmp/etc"
new_key() { "$ctl" key new | awk -F': ' '$1 == "private_key" { print $2 }' > "$1"; }
new_key "$tmp/etc/receipt.key"
new_key "$tmp/etc/escrow.key"
escrow=$("$ctl" key address --private-key-file "$tmp/etc/escrow.key" | awk -F': ' '$1 == "address" { print $2 }')
sed -e "s#/etc/bttnode/#$tmp/etc/#g" \
    -e "s#^address = \"T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb\"#address = \"$escrow\"#" \
    "$example" > "$tmp/bttnode.toml"
grep -q "^address = \"$escrow\"" "$tmp/bttnode.toml" || fail "the example's placeholder escrow.address moved; update this test"
check() {  # EXPECTED_EXIT CONFIG [FLAGS...]
    local want=$1 config=$2 got=0
    shift 2
    "$bttnode" --config "$config" --check-config "$@" > "$tmp/out" 2>&1 || got=$?
    if [ "$got" != "$want" ]; then
        cat "$tmp/out" >&2
        fail "--check-config $config $*: exit $got, expected $want"
    fi
}
check 0 "$tmp/bttnode.toml"
echo "ok: the example (paths moved, fresh keys) passes --check-config"

# Every optional file key set: tokens, a TLS certificate with its key, a client CA.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/etc/operator.token"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/etc/auditor.token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -keyout "$tmp/etc/node.key" -out "$tmp/etc/node.crt" 2>/dev/null
cp "$tmp/etc/node.crt" "$tmp/etc/clients-ca.crt"
sed -e "s#^operator_token_file = \"\"#operator_token_file = \"$tmp/etc/operator.token\"#" \
    -e "s#^auditor_token_file = \"\"#auditor_token_file = \"$tmp/etc/auditor.token\"#" \
    -e "s#^cert_file = \"\"#cert_file = \"$tmp/etc/node.crt\"#" \
    -e "s#^key_file = \"\"#key_file = \"$tmp/etc/node.key\"#" \
    -e "s#^client_ca_file = \"\"#client_ca_file = \"$tmp/etc/clients-ca.crt\"#" \
    -e 's#^format = "text"#format = "json"#' \
    "$tmp/bttnode.toml" > "$tmp/full.toml"
[ "$(diff "$tmp/bttnode.toml" "$tmp/full.toml" | grep -c '^>')" = 6 ] ||
    fail "expected to set 6 keys in the full variant; the example's empty defaults moved"
check 0 "$tmp/full.toml"
echo "ok: with auth tokens, TLS (mutual) and JSON logs set, --check-config passes"

# --- failure paths: the check can fail --------------------------------------------------------
{ cat "$tmp/bttnode.toml"; printf '[channels]\nfee_bsp = 25\n'; } > "$tmp/typo.toml"
check 2 "$tmp/typo.toml"
check 2 "$tmp/bttnode.toml" --channels.fee_bsp 25
chmod 0644 "$tmp/etc/operator.token"
check 2 "$tmp/full.toml"
chmod 0600 "$tmp/etc/operator.token"
check 2 "$tmp/bttnode.toml" --tls.cert_file "$tmp/etc/node.crt"
echo "ok: an unknown key, a readable token file and a lone tls.cert_file are refused"
