#!/bin/bash
# record-lab-kat.sh -- record IKEv1 known-answer vectors from real exchanges
# between two independent implementations in the UML lab (tests/e2e), for
# tests/unit/test_kat_lab.c. Host side, as root; needs the lab's packages
# (scripts/deps.sh), an unpacked Libreswan (tests/e2e/setup-libreswan) and
# python3-cryptography. The unit test only reads the files written here.
#
# usage: tests/vectors/record-lab-kat.sh [-x] [-o OUTDIR] [RUN...]
#   RUN  one of the runs below (default: all of them)
#   -o   where the lab runs go (default build/e2e/kat); the vector files
#        are always written to tests/vectors/
#   -x   no lab: only extract again from the runs already in OUTDIR
# Each run takes 40-80 s on an idle machine, up to ~4 min when other
# labs share the 2 cores (hence uml-run -t 600).
#
# Each run boots the lab's `direct` scenario (tests/e2e/guest/scenario.sh,
# every check unchanged, no iperf3). Runs sha1-aes256, sha1-aes128,
# sha256-aes256, sha1-3des:
#   server "kat"  (guest/server-kat.sh): the reference strongSwan responder
#                 with charon logging its key material (ref/server-kat/etc)
#   client "libreswan-kat" (guest/client-libreswan-kat.sh): Libreswan's pluto
#                 as IKEv1 initiator, offering exactly the run's proposal
#   -> tests/vectors/lab-libreswan-strongswan-<run>.txt
# Runs ikd-sha1-aes256, ikd-sha1-3des (need `make` first: build/ikd):
#   server "ikd"  (guest/server-ikd.sh): OUR responder
#   client "strongswan-kat" (guest/client-strongswan-kat.sh): strongSwan
#                 as initiator with the same logging, the run's proposal
#   -> tests/vectors/lab-strongswan-ikd-<run without ikd->.txt
# Then tests/vectors/lab_kat_extract.py takes the inputs from the server's
# wire capture, the outputs from charon's log, the decrypted MM5/MM6/Quick
# Mode messages and the ESP keys in charon's kernel, cross-checks them and
# writes the vector file. A run whose scenario fails (the peers did not
# agree) writes nothing.
set -u
VEC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VEC_DIR/../.." && pwd)
E2E_DIR=$REPO/tests/e2e
export E2E_BUILD=${E2E_BUILD:-$REPO/build/e2e}
OUTDIR=$E2E_BUILD/kat
PSK=e2e-lab-psk-not-secret # tests/e2e/ref/server/etc/ipsec.secrets

# run name -> Libreswan ike= and esp= (the server accepts all of them)
declare -A IKE=(
	[sha1-aes256]='aes256-sha1;modp2048'
	[sha1-aes128]='aes128-sha1;modp2048'
	[sha256-aes256]='aes256-sha2_256;modp2048'
	[sha1-3des]='3des-sha1;modp2048'
	[ikd-sha1-aes256]='aes256-sha1-modp1024!'
	[ikd-sha1-3des]='3des-sha1-modp1024!'
)
declare -A ESP=(
	[sha1-aes256]='aes256-sha1'
	[sha1-aes128]='aes256-sha1'
	[sha256-aes256]='aes128-sha2_256'
	[sha1-3des]='3des-sha1'
	[ikd-sha1-aes256]='aes256-sha1!'
	[ikd-sha1-3des]='3des-sha1!'
)
RUNS_ALL="sha1-aes256 sha1-aes128 sha256-aes256 sha1-3des ikd-sha1-aes256 ikd-sha1-3des"

usage() { sed -n '2,34p' "$0" >&2; exit 2; }
EXTRACT_ONLY=0
while getopts "o:xh" opt; do
	case $opt in
	o) OUTDIR=$OPTARG ;;
	x) EXTRACT_ONLY=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
# shellcheck disable=SC2086 # a list of words
[ $# -gt 0 ] || set -- $RUNS_ALL
for r in "$@"; do
	[ -n "${IKE[$r]:-}" ] || { echo "record-lab-kat: unknown run '$r' ($RUNS_ALL)" >&2; exit 2; }
done
if [ "$EXTRACT_ONLY" = 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "record-lab-kat: must run as root (the UML lab)" >&2; exit 2; }
	exec < /dev/null
	"$E2E_DIR/uml-run" -P || exit 2
fi

ver() { dpkg-query -W -f '${Version}' "$1" 2> /dev/null || echo unknown; }
SWAN=$(ver strongswan-charon)
UML=$(ver user-mode-linux)
LS=$(zcat "$E2E_BUILD/libreswan-root/usr/share/doc/libreswan/changelog.Debian.gz" 2> /dev/null |
	sed -n '1s/^libreswan (\([^)]*\)).*/\1/p')
# ikd as of the last commit that changed ikd/ or lib/
IKD_REV=$(git -C "$REPO" log -1 --format=%h -- ikd lib 2> /dev/null || echo unknown)
git -C "$REPO" diff --quiet HEAD -- ikd lib 2> /dev/null || IKD_REV="$IKD_REV+changes"

failed=0
for r in "$@"; do
	out=$OUTDIR/$r
	echo "record-lab-kat: $r: ike=${IKE[$r]} esp=${ESP[$r]}"
	case $r in
	ikd-*)
		# the client's SAs are gone when the logs are collected (ikd
		# sends Deletes at its stop): the ESP keys are ikd's, from
		# server-ikd.sh's snapshot before the stop
		server=ikd client=strongswan-kat side=client role=initiator
		xfrm=$out/logs/server/xfrm-before-stop.log
		keys="the ESP keys in ikd's kernel (before its stop)"
		file=lab-strongswan-ikd-${r#ikd-}.txt
		who1="implementations: strongSwan charon $SWAN (Debian, IKEv1 initiator,"
		who2="tests/e2e/ref/client + server-kat's strongswan.conf, ike=${IKE[$r]}"
		who3="esp=${ESP[$r]}) and OUR ikd (ikd/ + lib/ of commit $IKD_REV, responder)."
		what="SKEYID*, Ka, IVs are strongSwan's (charon's log); ikd logs no secrets."
		;;
	*)
		server=kat client=libreswan-kat side=server role=responder
		xfrm=$out/logs/server/xfrm-state.txt
		keys="the ESP keys in charon's kernel"
		file=lab-libreswan-strongswan-$r.txt
		who1="implementations, neither of them ours: Libreswan pluto $LS (Debian,"
		who2="IKEv1 initiator, ike=${IKE[$r]} esp=${ESP[$r]}) and strongSwan"
		who3="charon $SWAN (Debian, responder, tests/e2e/ref/server-kat)."
		what="Neither side is ours."
		;;
	esac
	rc=0
	if [ "$EXTRACT_ONLY" = 0 ]; then
		rm -rf "$out"
		mkdir -p "$out"
		"$E2E_DIR/uml-run" -q -t 600 -o "$out" env KAT_IKE="${IKE[$r]}" KAT_ESP="${ESP[$r]}" \
			"$E2E_DIR/guest/scenario.sh" --topo direct --server "$server" --client "$client" --iperf 0
		rc=$?
	fi
	if [ "$rc" != 0 ] || ! grep -q '^result=PASS' "$out/metrics.txt" 2> /dev/null; then
		echo "record-lab-kat: $r: scenario failed (rc=$rc), see $out" >&2
		failed=$((failed + 1))
		continue
	fi
	when=$(date -u -r "$out/server-eth0.pcap" '+%Y-%m-%d %H:%M UTC')
	/usr/bin/python3 "$VEC_DIR/lab_kat_extract.py" \
		--pcap "$out/server-eth0.pcap" \
		--charon "$out/logs/$side/charon.log" \
		--xfrm "$xfrm" \
		--charon-role "$role" \
		--psk "$PSK" \
		--out "$VEC_DIR/$file" \
		--header "IKEv1 Main Mode PSK + Quick Mode between two independent" \
		--header "$who1" --header "$who2" --header "$who3" \
		--header "Recorded $when in the UML lab (user-mode-linux $UML), scenario" \
		--header "direct, server $server, client $client, by" \
		--header "  tests/vectors/record-lab-kat.sh $r" \
		--header "Inputs: the server's wire capture (cookies, SAi_b, KE, nonces, the" \
		--header "Quick Mode payloads) and MM5/MM6 decrypted with charon's logged Ka/IV" \
		--header "(IDii_b, IDir_b); g^xy from charon's log. Outputs: charon's logged" \
		--header "SKEYID*, Ka, IVs; HASH_I/HASH_R/HASH(1..3) as sent on the wire and" \
		--header "accepted by the other side; KEYMAT = $keys" \
		--header "(encryption key | authentication key), equal to charon's log." \
		--header "$what" \
		--header "lab_kat_extract.py cross-checked every value; it computes none." ||
		failed=$((failed + 1))
done
echo "record-lab-kat: $(($# - failed)) recorded, $failed failed"
[ "$failed" = 0 ]
