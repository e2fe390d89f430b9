#!/bin/sh
# shellcheck disable=SC2317 # helpers called through wait_for
# guest/run-script.sh -- scripts/run.sh, what `make run` ends with, inside
# the UML guest (the host kernel has no ESP, L2TP or PPP):
#
#   make all
#   tests/e2e/run-probes.sh run-script
#
# In a fresh private directory: a copy of conf/vpn.conf (run_dir, the
# session log and the plugin pointed into the directory and the build),
# no secrets file. Three starts of `CONF=... scripts/run.sh`, each checked
# in the guest's root namespace:
#   first    the secrets file appears, mode 0600, with a PSK (>= 24
#            characters) and user vpnuser; PSK, user and password are on
#            run.sh's stdout exactly once and in no log line; ikd's control
#            socket exists, l2tpd listens on UDP 1701 and logs "registered
#            with ikd", the L2TP policies (reqid 0x4c32xxxx) are in `ip xfrm
#            policy`. SIGINT to run.sh: both daemons exit, run.sh exits 0,
#            no SA or policy of ours is left.
#   second   the same file, untouched, and no secret printed again; up,
#            registered, then SIGINT, exit 0, nothing left.
#   l2tpd-dies   SIGKILL to l2tpd: run.sh stops ikd, exits 1 naming l2tpd
#            and the signal; nothing left.
# Results: $E2E_OUT/metrics.txt (result=PASS/FAIL, fail=... lines),
# <run>-stdout.txt / <run>-stderr.txt. Exit 0 only if all passed.
set -u

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
E2E_REPO=${E2E_REPO:-$(cd "$E2E_DIR/../.." && pwd)}
E2E_OUT=${E2E_OUT:-/tmp/e2e-out}
# shellcheck source=tests/e2e/guest/lib.sh
. "$E2E_DIR/guest/lib.sh"
mkdir -p "$E2E_OUT"
: > "$METRICS"

RUNSH=$E2E_REPO/scripts/run.sh
PLUGIN=$E2E_REPO/build/pppd-plugin/l2tp_ipsec.so
W=$(mktemp -d /tmp/make-run.XXXXXX) || exit 1
CONF=$W/vpn.conf
SECRETS=$W/secrets.conf
SOCK=$W/run/ikd.sock
RUN_PID=

finish() {
	cp "$W"/*-stdout.txt "$W"/*-stderr.txt "$E2E_OUT"/ 2> /dev/null
	probe_exit
}

for f in "$RUNSH" "$E2E_REPO/build/ikd" "$E2E_REPO/build/l2tpd" "$PLUGIN"; do
	[ -e "$f" ] || fail "missing $f (make all)"
done
[ "$FAILED" = 0 ] || finish

# ours WHAT: XFRM objects (state, policy) whose reqid is ikd's
ours() {
	ip xfrm "$1" list | awk '
		{ for (i = 1; i < NF; i++) if ($i == "reqid") {
			r = $(i + 1) + 0
			if (r >= 1278345216 && r <= 1278410751) n++ } }
		END { print n + 0 }'
}

# the daemons of this configuration still running
daemons() {
	pgrep -f -- "-f $CONF" 2> /dev/null | tr '\n' ' '
}

l2tpd_listening() { ss -Hlun 'sport = :1701' | grep -q 1701; }
registered() { grep -q 'registered with ikd' "$W/$1-stderr.txt"; }
policy_in() { ip xfrm policy | grep -q 'dport 1701'; }
policy_out() { ip xfrm policy | grep -q 'sport 1701'; }
gone() { ! kill -0 "$RUN_PID" 2> /dev/null; }

# start NAME: run.sh in the background, SIGINT at its default (a
# background job of a non-interactive shell would have it ignored, and
# bash cannot trap a signal ignored on entry)
start() {
	CONF=$CONF env --default-signal=INT,TERM "$RUNSH" \
	    > "$W/$1-stdout.txt" 2> "$W/$1-stderr.txt" &
	RUN_PID=$!
}

# up NAME: everything running, registered, policies installed
up() {
	_t0=$(now_cs)
	wait_for 30 "$1: ikd control socket" test -S "$SOCK" || return 1
	wait_for 30 "$1: l2tpd on UDP 1701" l2tpd_listening || return 1
	wait_for 15 "$1: l2tpd registered with ikd" registered "$1" ||
		return 1
	wait_for 10 "$1: inbound L2TP policy" policy_in || return 1
	wait_for 10 "$1: outbound L2TP policy" policy_out || return 1
	metric "${1}_up_s" "$(since "$_t0")"
	[ "$(ours policy)" -ge 2 ] ||
		fail "$1: $(ours policy) policies of ours, want the L2TP pair"
	ip xfrm policy > "$E2E_OUT/$1-xfrm-policy.txt" 2>&1
	log "$1: up; daemons $(daemons)"
}

# stop NAME SIGNAL PID WANT_RC: signal PID (run.sh or a daemon), wait for
# run.sh, check its status and that everything went
stop() {
	_t0=$(now_cs)
	kill -s "$2" "$3"
	wait_for 20 "$1: run.sh exits after SIG$2 to $3" gone
	if gone; then
		wait "$RUN_PID"
		_rc=$?
	else
		kill -KILL "$RUN_PID" 2> /dev/null
		_rc=killed
	fi
	metric "${1}_stop_s" "$(since "$_t0")"
	metric "${1}_rc" "$_rc"
	[ "$_rc" = "$4" ] || fail "$1: run.sh exited $_rc, want $4"
	wait_for 10 "$1: both daemons gone" test -z "$(daemons)" ||
		fail "$1: still running: $(daemons)"
	[ "$(ours state)" = 0 ] || fail "$1: $(ours state) SAs of ours left"
	[ "$(ours policy)" = 0 ] ||
		fail "$1: $(ours policy) policies of ours left"
	l2tpd_listening && fail "$1: something still listens on UDP 1701"
}

log "kernel $(uname -r); $W"
# a local address like a server's (ikd's outbound L2TP policies are per
# local address; lo has none)
modprobe veth || fail "modprobe veth"
ip link add rs0 type veth peer name rs1 || fail "veth"
ip addr add 192.0.2.1/24 dev rs0
ip link set rs0 up
ip link set rs1 up
ip link set lo up
chmod 700 "$W"
mkdir -p "$W/run"
sed -e "s|^run_dir = .*|run_dir = \"$W/run\";|" \
    -e "s|^\tsession_log = .*|\tsession_log = \"$W/run/sessions.jsonl\";|" \
    -e "s|^\tplugin = .*|\tplugin = \"$PLUGIN\";|" \
    "$E2E_REPO/conf/vpn.conf" > "$CONF"
chmod 644 "$CONF"
grep -q "^run_dir = \"$W/run\";" "$CONF" || fail "run_dir not rewritten"
grep -q "session_log = \"$W/run/sessions.jsonl\";" "$CONF" ||
	fail "session_log not rewritten"
[ -e "$SECRETS" ] && fail "secrets file before the first start"
[ "$(ours policy)" = 0 ] || fail "policies of ours before the start"
[ "$FAILED" = 0 ] || finish

# ---- first start ----
start first
up first
if [ -f "$SECRETS" ]; then
	metric secrets_mode "$(stat -c %a "$SECRETS")"
	[ "$(stat -c %a "$SECRETS")" = 600 ] || fail "secrets mode not 600"
	PSK=$(sed -n 's/^[[:space:]]*psk = "\([^"]*\)";.*/\1/p' "$SECRETS")
	USER=$(sed -n 's/.*name = "\([^"]*\)".*/\1/p' "$SECRETS")
	PASS=$(sed -n 's/.*password = "\([^"]*\)".*/\1/p' "$SECRETS")
	metric psk_chars "${#PSK}"
	metric password_chars "${#PASS}"
	[ "${#PSK}" -ge 24 ] || fail "PSK of ${#PSK} characters"
	[ "$USER" = vpnuser ] || fail "generated user '$USER'"
	[ "${#PASS}" -ge 16 ] || fail "password of ${#PASS} characters"
	sha_first=$(sha256sum < "$SECRETS")
else
	fail "no secrets file $SECRETS after the first start"
	PSK=none-psk-x USER=none-user-x PASS=none-pass-x
fi
[ -S "$SOCK" ] || fail "no ikd control socket $SOCK"
for v in "$PSK" "$PASS" "$SECRETS"; do
	[ "$(grep -c -F -- "$v" "$W/first-stdout.txt")" = 1 ] ||
		fail "first start: a value printed $(grep -c -F -- "$v" \
		    "$W/first-stdout.txt") times on stdout, want once"
done
grep -q "user name: *$USER\$" "$W/first-stdout.txt" ||
	fail "first start: user name not printed"
grep -q "First start: generated" "$W/first-stdout.txt" ||
	fail "first start: no announcement on stdout"
grep -q "first start: generated $SECRETS (mode 0600)" \
    "$W/first-stderr.txt" || fail "first start: no log line on the file"
grep -q -F -- "$PSK" "$W/first-stderr.txt" && fail "PSK in the logs"
grep -q -F -- "$PASS" "$W/first-stderr.txt" && fail "password in the logs"
stop first INT "$RUN_PID" 0
grep -q 'run: stopped; ikd and l2tpd exited cleanly' \
    "$W/first-stderr.txt" || fail "first: no clean-stop line"
grep -q 'l2tpd stopped' "$W/first-stderr.txt" ||
	fail "first: l2tpd did not log its stop"

# ---- second start: nothing generated or printed ----
start second
up second
[ "$(sha256sum < "$SECRETS")" = "${sha_first:-}" ] ||
	fail "second start: the secrets file changed"
grep -q -F -- "$PSK" "$W/second-stdout.txt" "$W/second-stderr.txt" &&
	fail "second start: PSK printed again"
grep -q -F -- "$PASS" "$W/second-stdout.txt" "$W/second-stderr.txt" &&
	fail "second start: password printed again"
grep -q 'generated' "$W/second-stdout.txt" "$W/second-stderr.txt" &&
	fail "second start: says it generated something"
stop second INT "$RUN_PID" 0

# ---- l2tpd dies: run.sh takes ikd down and says so ----
start l2tpd-dies
up l2tpd-dies
l2tpd_pid=$(pgrep -f -- "l2tpd -d -v -f $CONF")
if [ -n "$l2tpd_pid" ]; then
	stop l2tpd-dies KILL "$l2tpd_pid" 1
else
	fail "l2tpd-dies: no l2tpd process found"
fi
grep -q 'run: FAILED: l2tpd was killed by signal 9' \
    "$W/l2tpd-dies-stderr.txt" || fail "l2tpd-dies: no line naming l2tpd"
finish
