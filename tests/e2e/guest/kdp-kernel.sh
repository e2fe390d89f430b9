#!/bin/sh
# guest/kdp-kernel.sh [PROBE [MODE]] -- l2tpd's kernel data path
# (l2tpd/kdp.c) against a kernel with L2TP and PPP. Runs inside the UML
# guest (the host kernel has neither):
#
#   make build/tests/e2e/kdp_probe
#   tests/e2e/uml-run -o build/e2e/runs/kdp tests/e2e/guest/kdp-kernel.sh
#
# 1. Missing modules: with module autoloading blocked
#    (/proc/sys/kernel/modprobe = /bin/false) and no L2TP/PPP module
#    loaded, kdp_new must fail with a line naming l2tp_ppp (auto mode),
#    l2tp_netlink (genl mode); with only pppox loaded, naming l2tp_ppp.
# 2. Two network namespaces ka (192.0.2.1, the LNS) and kb (192.0.2.2)
#    joined by a veth pair; tests/e2e/kdp_probe (PROBE, default
#    build/tests/e2e/kdp_probe of the repository) builds tunnels and
#    sessions on both sides in MODE (auto, genl, pppox; default auto, which
#    is pppox on Debian's UML kernel: it has no l2tp_netlink), runs two
#    pppd on the PPPoL2TP fds, pings, reads the counters, checks the
#    control frames and the cleanup; see its header.
# Afterwards this script checks /proc/net/pppol2tp is empty and no pppd
# is left in either namespace. Results: $E2E_OUT/probe.txt,
# missing-*.txt, pppd-*.log, ping.txt, metrics.txt (result=PASS/FAIL,
# fail=... lines). Exit 0 only if all passed.
set -u

E2E_REPO=${E2E_REPO:-$(cd "$(dirname "$0")/../../.." && pwd)}
E2E_OUT=${E2E_OUT:-/tmp/e2e-out}
PROBE=${1:-$E2E_REPO/build/tests/e2e/kdp_probe}
MODE=${2:-auto}
METRICS=$E2E_OUT/metrics.txt
A=ka
B=kb
FAILED=0
mkdir -p "$E2E_OUT"
: > "$METRICS"

log() {
	read -r _up _ < /proc/uptime
	echo "[kdp-kernel ${_up}] $*"
}

fail() {
	log "FAIL: $*"
	FAILED=1
	echo "fail=$*" >> "$METRICS"
}

# missing NAME MODULE MODE: the probe's --missing form
missing() {
	"$PROBE" --missing "$2" "$3" > "$E2E_OUT/missing-$1.txt" 2>&1
	rc=$?
	sed "s/^/  [$1] /" "$E2E_OUT/missing-$1.txt"
	[ "$rc" = 0 ] || fail "missing-$1: probe exit $rc"
}

if [ ! -x "$PROBE" ]; then
	fail "no probe at $PROBE (make build/tests/e2e/kdp_probe)"
	echo "result=FAIL" >> "$METRICS"
	exit 1
fi
log "kernel $(uname -r), L2TP modules available: $(ls /lib/modules/"$(uname -r)"/kernel/net/l2tp/ | tr '\n' ' ')"

# ---- 1. missing modules ----
MODPROBE=$(cat /proc/sys/kernel/modprobe)
if lsmod | grep -q '^l2tp\|^pppox'; then
	fail "L2TP/PPPoX modules loaded before the missing-module checks"
fi
echo /bin/false > /proc/sys/kernel/modprobe
missing none-auto l2tp_ppp auto
missing none-genl l2tp_netlink genl
modprobe pppox || fail "modprobe pppox"
missing pppox-only l2tp_ppp pppox
echo "$MODPROBE" > /proc/sys/kernel/modprobe

# ---- 2. the data path ----
T0=$(cut -d' ' -f1 /proc/uptime)
for m in l2tp_ppp ppp_generic veth; do
	modprobe "$m" || fail "modprobe $m"
done
modprobe -q l2tp_netlink 2> /dev/null || log "no l2tp_netlink module (CONFIG_L2TP_V3 off): genl mode impossible here"

ip netns add "$A" || fail "netns $A"
ip netns add "$B" || fail "netns $B"
ip -n "$A" link add v0 type veth peer name v1 netns "$B" || fail "veth"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" addr add 192.0.2.1/24 dev v0
ip -n "$B" addr add 192.0.2.2/24 dev v1
ip -n "$A" link set v0 up
ip -n "$B" link set v1 up
i=0
until ip -n "$A" link show v0 | grep -q 'state UP' &&
	ip -n "$B" link show v1 | grep -q 'state UP'; do
	i=$((i + 1))
	[ "$i" -le 50 ] || { fail "veth not up"; break; }
	sleep 0.1
done
T1=$(cut -d' ' -f1 /proc/uptime)
[ "$FAILED" = 0 ] || { echo "result=FAIL" >> "$METRICS"; exit 1; }

log "probe $PROBE ($MODE)"
"$PROBE" "/run/netns/$A" "/run/netns/$B" "$E2E_OUT" "$MODE" \
	> "$E2E_OUT/probe.txt" 2>&1
PRC=$?
T2=$(cut -d' ' -f1 /proc/uptime)
cat "$E2E_OUT/probe.txt"
{
	awk -v a="$T0" -v b="$T1" 'BEGIN { printf "setup_s=%.2f\n", b - a }'
	awk -v a="$T1" -v b="$T2" 'BEGIN { printf "probe_s=%.2f\n", b - a }'
	grep -c '^ok ' "$E2E_OUT/probe.txt" | sed 's/^/probe_ok=/'
	grep '^FAIL' "$E2E_OUT/probe.txt" | sed 's/^FAIL /fail=probe /'
	sed -n 's/^  mode: /mode=/p' "$E2E_OUT/probe.txt"
} >> "$METRICS"
[ "$PRC" = 0 ] || fail "probe exit status $PRC"

for ns in "$A" "$B"; do
	ip netns exec "$ns" cat /proc/net/pppol2tp > "$E2E_OUT/pppol2tp-$ns-end.txt" 2>&1
	grep -q "^TUNNEL '" "$E2E_OUT/pppol2tp-$ns-end.txt" &&
		fail "$ns: an L2TP tunnel is left"
	n=$(ip netns pids "$ns" | wc -l)
	[ "$n" = 0 ] || fail "$ns: $n processes left"
done

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
