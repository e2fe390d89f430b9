#!/bin/sh
# guest/xfrm-kernel.sh [PROBE] -- ikd's XFRM code against a kernel with ESP.
# Runs inside the UML guest (the host kernel has no esp4):
#
#   make build/tests/e2e/xfrm_probe
#   tests/e2e/uml-run -o build/e2e/runs/xfrm-kernel \
#       tests/e2e/guest/xfrm-kernel.sh
#
# Two network namespaces, xa (192.0.2.1) and xb (192.0.2.2), joined by a
# veth pair. xa also holds a foreign ESP SA and policy (reqid 7, "another
# daemon"). tests/e2e/xfrm_probe (PROBE, default build/tests/e2e/xfrm_probe
# of the repository) runs the L2TP server policy on both sides, installs
# ESP and NAT-T SA pairs, sends UDP 1701 both ways and checks delivery,
# the wire and the counters, the expiry/acquire events, and that
# xfrm_flush_ours leaves none of ours; see its header. Afterwards this
# script checks with iproute2 that no SA or policy with ikd's reqid
# (0x4c320000-0x4c32ffff) is left in either namespace and that the foreign
# ones are intact. Results: $E2E_OUT/probe.txt, metrics.txt (result=PASS/
# FAIL, fail=... lines), xfrm-*.txt snapshots. Exit 0 only if all passed.
set -u

E2E_REPO=${E2E_REPO:-$(cd "$(dirname "$0")/../../.." && pwd)}
E2E_OUT=${E2E_OUT:-/tmp/e2e-out}
PROBE=${1:-$E2E_REPO/build/tests/e2e/xfrm_probe}
METRICS=$E2E_OUT/metrics.txt
A=xa
B=xb
FAILED=0
mkdir -p "$E2E_OUT"
: > "$METRICS"

log() {
	read -r _up _ < /proc/uptime
	echo "[xfrm-kernel ${_up}] $*"
}

fail() {
	log "FAIL: $*"
	FAILED=1
	echo "fail=$*" >> "$METRICS"
}

# ours NS WHAT: objects of WHAT (state, policy) in NS whose reqid is ikd's
ours() {
	ip -n "$1" xfrm "$2" list | awk '
		{ for (i = 1; i < NF; i++) if ($i == "reqid") {
			r = $(i + 1) + 0
			if (r >= 1278345216 && r <= 1278410751) n++ } }
		END { print n + 0 }'
}

if [ ! -x "$PROBE" ]; then
	fail "no probe at $PROBE (make build/tests/e2e/xfrm_probe)"
	exit 1
fi

log "kernel $(uname -r)"
for m in esp4 xfrm_user veth; do
	modprobe "$m" || fail "modprobe $m"
done
# Algorithm modules; most are loaded on demand by the crypto API anyway.
for m in authenc cbc aes_generic des_generic des3_ede sha1_generic \
	sha256_generic hmac gcm ghash_generic seqiv echainiv ctr esp6 ipv6; do
	modprobe -q "$m" 2> /dev/null || true
done

ip netns add "$A" || fail "netns $A"
ip netns add "$B" || fail "netns $B"
ip -n "$A" link add v0 type veth peer name v1 netns "$B" || fail "veth"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" addr add 192.0.2.1/24 dev v0
ip -n "$B" addr add 192.0.2.2/24 dev v1
ip -n "$A" link set v0 up
ip -n "$B" link set v1 up
# Until linkwatch has run (up to 1 s after carrier), the veth drops.
i=0
until ip -n "$A" link show v0 | grep -q 'state UP' &&
	ip -n "$B" link show v1 | grep -q 'state UP'; do
	i=$((i + 1))
	[ "$i" -le 50 ] || { fail "veth not up"; break; }
	sleep 0.1
done
# The probe's acquire test leaves a larval SA without SPI: expire it soon.
ip netns exec "$A" sysctl -q -w net.core.xfrm_acq_expires=3 ||
	fail "sysctl xfrm_acq_expires"

# Another daemon's objects in xa: they must survive everything we do.
ip -n "$A" xfrm state add src 192.0.2.1 dst 192.0.2.9 proto esp \
	spi 0x7777 reqid 7 mode transport \
	enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
	auth-trunc 'hmac(sha1)' 0x00112233445566778899aabbccddeeff00112233 96 ||
	fail "foreign SA"
ip -n "$A" xfrm policy add src 192.0.2.1/32 dst 192.0.2.9/32 proto tcp \
	dir out tmpl proto esp mode transport reqid 7 || fail "foreign policy"
[ "$FAILED" = 0 ] || { echo "result=FAIL" >> "$METRICS"; exit 1; }

log "probe $PROBE"
T0=$(cut -d' ' -f1 /proc/uptime)
"$PROBE" "/run/netns/$A" "/run/netns/$B" > "$E2E_OUT/probe.txt" 2>&1
PRC=$?
T1=$(cut -d' ' -f1 /proc/uptime)
cat "$E2E_OUT/probe.txt"
{
	awk -v a="$T0" -v b="$T1" 'BEGIN { printf "probe_s=%.2f\n", b - a }'
	grep -c '^ok ' "$E2E_OUT/probe.txt" | sed 's/^/probe_ok=/'
	grep '^FAIL' "$E2E_OUT/probe.txt" | sed 's/^FAIL /fail=probe /'
} >> "$METRICS"
[ "$PRC" = 0 ] || fail "probe exit status $PRC"

for ns in "$A" "$B"; do
	ip -n "$ns" -s xfrm state > "$E2E_OUT/xfrm-state-$ns.txt" 2>&1
	ip -n "$ns" xfrm policy > "$E2E_OUT/xfrm-policy-$ns.txt" 2>&1
	n=$(ours "$ns" state)
	[ "$n" = 0 ] || fail "$ns: $n SAs of ours left"
	n=$(ours "$ns" policy)
	[ "$n" = 0 ] || fail "$ns: $n policies of ours left"
done
ip -n "$A" xfrm state list | grep -q 'spi 0x00007777 reqid 7 ' ||
	fail "foreign SA gone"
ip -n "$A" xfrm policy list | grep -q 'dst 192.0.2.9/32 proto tcp' ||
	fail "foreign policy gone"
[ "$(ip -n "$B" xfrm state list | wc -l)" = 0 ] || fail "$B: SAs left"
[ "$(ip -n "$B" xfrm policy list | wc -l)" = 0 ] || fail "$B: policies left"

ip netns del "$A"
ip netns del "$B"
if [ "$FAILED" = 0 ]; then
	echo "result=PASS" >> "$METRICS"
	log "PASS"
	exit 0
fi
echo "result=FAIL" >> "$METRICS"
log "FAIL"
exit 1
