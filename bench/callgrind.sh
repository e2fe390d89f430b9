#!/bin/sh
# callgrind.sh [group] [handshakes] [psk|rsa|ecdsa] -- ikd's instructions per handshake,
# crypto vs the rest, without the noise of a shared machine: runs
# build/bench/ike_load against build/ikd under valgrind --tool=callgrind
# and splits ikd_input's inclusive cost into the crypto calls (ikd/dh.c,
# ikd/crypto.c, RAND_bytes, NAT-D hashes) and everything else. ikd is two
# processes (the privileged parent forks the IKE process, which valgrind
# follows): each writes its own profile, and ikd_input runs in the IKE
# process's. KEEP=1 keeps the temporary directory with the profiles.
set -eu
group=${1:-ecp256}
n=${2:-200}
auth=${3:-psk}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/ikd-callgrind.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
# the IKE process runs as ike.user (nobody): it must be able to write there
chmod 0711 "$tmp"
mkdir -m 1777 "$tmp/prof"
cat > "$tmp/ikd" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$tmp/prof/cg.out.%p \
    $top/build/ikd "\$@"
EOF
chmod +x "$tmp/ikd"
# slow under valgrind: few in flight, one round, no time limit to speak of
"$top/build/bench/ike_load" -i "$tmp/ikd" -a "$auth" -g "$group" -n "$n" \
    -c 2 -r 1 -t 600 -b 0.2 -v 2>&1 | grep "ikd:" || true
ike=$(grep -l 'fn=([0-9]*) ikd_input$' "$tmp"/prof/cg.out.* | head -1)
if [ -z "$ike" ]; then
	echo "callgrind.sh: no profile with ikd_input in it" >&2
	exit 1
fi
callgrind_annotate --inclusive=yes --threshold=100 "$ike" |
awk -v n="$n" '
/^ *[0-9,]+ \( *[0-9.]+%\) / {
	ir = $1; gsub(",", "", ir)
	fn = $0; sub(/ \[.*$/, "", fn); sub(/^.*:/, "", fn)
	if (!(fn in inc))
		inc[fn] = ir
}
END {
	split("dh_new dh_derive dh_free RAND_bytes ike_skeyid_psk " \
	    "ike_skeyid_sig ikd_certs_check_peer " \
	    "ike_keys_new ike_keys_free ike_ivs_new ike_ivs_get ike_ivs_set " \
	    "ike_ivs_drop ike_ivs_free ike_hash_i ike_hash_r " \
	    "natd_hash.constprop.0 ike_qm_hash1 ike_qm_hash2 ike_qm_hash3 " \
	    "ike_info_hash ike_keymat ike_cbc_decrypt ike_cbc_encrypt " \
	    "ike_secret_free", c, " ")
	for (i in c)
		crypto += inc[c[i]]
	total = inc["ikd_input"]
	printf("%d handshakes: ikd_input %.0f instructions each, crypto " \
	    "%.0f, the rest %.0f (%.1f%%)\n", n, total / n, crypto / n,
	    (total - crypto) / n, 100 * (total - crypto) / total)
	split("log_emit k_sa_add k_sa_del k_spi_alloc " \
	    "ike_sa_new ike_sa_free proposal_select_ike " \
	    "proposal_select_esp isakmp_payloads_parse exchange_check", o, " ")
	for (i = 1; i in o; i++)
		printf("  %-22s %8.0f per handshake (inclusive)\n", o[i],
		    inc[o[i]] / n)
}'
