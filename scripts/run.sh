#!/bin/bash
# run.sh -- `make run`: start the server, ikd then l2tpd, in the foreground
# on conf/vpn.conf (CONF=file to use another), both logging to this
# terminal. On the first start the daemon that finds the secrets file
# missing generates it (a random PSK and user "vpnuser", mode 0600) and
# prints the values here, once.
#
# Ctrl-C (or SIGTERM) is passed on to both: l2tpd ends its sessions, ikd
# removes every SA and policy it installed; the script then exits 0. If
# either daemon dies on its own, the other is stopped and the script exits
# 1 naming the one that died and its status.
#
# Needs root and the build (`make run` does deps + build first).
set -u
cd "$(dirname "$0")/.." || exit 2
CONF=${CONF:-conf/vpn.conf}

if [ "$(id -u)" != 0 ]; then
	echo "run: must run as root (IKE ports 500/4500, kernel XFRM)" >&2
	exit 2
fi
for b in build/ikd build/l2tpd; do
	if [ ! -x "$b" ]; then
		echo "run: no $b; build first (make run does)" >&2
		exit 2
	fi
done

# Both daemons must accept the file before anything starts.
desc=$(build/ikd --check-config -f "$CONF") || exit 1
build/l2tpd --check-config -f "$CONF" > /dev/null || exit 1
sock=$(printf '%s\n' "$desc" | sed -n 's/.*control socket \([^;]*\);.*/\1/p')

# The kernel must have ESP, L2TP and PPP; name what is missing.
missing=
builtin=/lib/modules/$(uname -r)/modules.builtin
for m in esp4 l2tp_ppp ppp_generic; do
	[ -d "/sys/module/$m" ] && continue
	grep -qs "/$m.ko" "$builtin" && continue
	modprobe -q "$m" 2> /dev/null && [ -d "/sys/module/$m" ] && continue
	missing="$missing $m"
done
if [ -n "$missing" ]; then
	echo "run: this kernel ($(uname -r)) lacks:$missing" >&2
	echo "run: the server needs ESP, L2TP and PPP. To see it work" \
	    "anyway: make demo (the whole dial-in inside a user-mode-linux" \
	    "kernel that has them, with a real strongSwan + xl2tpd + pppd" \
	    "client)" >&2
	exit 2
fi

ikd_pid=
l2tpd_pid=
stopping=
# Each daemon runs in its own session (setsid), so a Ctrl-C reaches only
# this script, which passes it on once (a second one to ikd means "the
# IKE process is stuck, kill it").
# shellcheck disable=SC2317 # called from the traps
on_signal() {
	stopping=$1
	echo "run: SIG$1: stopping l2tpd and ikd" >&2
	# shellcheck disable=SC2086 # empty until started
	kill -s "$1" $l2tpd_pid $ikd_pid 2> /dev/null
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

echo "run: starting ikd and l2tpd on $CONF (Ctrl-C stops both)" >&2
mark=$(mktemp) || exit 2
setsid build/ikd -d -v -f "$CONF" &
ikd_pid=$!
# l2tpd registers with ikd over its control socket (and retries while it
# is not there): give ikd up to 5 s to create it afresh, so that l2tpd
# registers at once and only ikd can have generated the secrets.
for _ in $(seq 50); do
	[ -n "$stopping" ] && break
	kill -0 "$ikd_pid" 2> /dev/null || break
	[ -z "$sock" ] && break
	[ -S "$sock" ] && [ -n "$(find "$sock" -newer "$mark" 2> /dev/null)" ] &&
	    break
	sleep 0.1
done
rm -f -- "$mark"
if [ -z "$stopping" ] && kill -0 "$ikd_pid" 2> /dev/null; then
	setsid build/l2tpd -d -v -f "$CONF" &
	l2tpd_pid=$!
fi

# Wait for both; the first to go on its own takes the other down.
ikd_st=
l2tpd_st=
[ -z "$l2tpd_pid" ] && l2tpd_st=none
died=
while [ -z "$ikd_st" ] || [ -z "$l2tpd_st" ]; do
	pids=()
	[ -z "$ikd_st" ] && pids+=("$ikd_pid")
	[ -z "$l2tpd_st" ] && pids+=("$l2tpd_pid")
	who=
	wait -n -p who "${pids[@]}"
	st=$?
	if [ "${who:-}" = "$ikd_pid" ]; then
		ikd_st=$st
		name=ikd other=$l2tpd_pid
	elif [ "${who:-}" = "$l2tpd_pid" ]; then
		l2tpd_st=$st
		name=l2tpd other=$ikd_pid
	else
		continue	# a signal; on_signal passed it on
	fi
	if [ -z "$stopping" ]; then
		if [ "$st" -gt 128 ]; then
			how="was killed by signal $((st - 128))"
		else
			how="exited with status $st"
		fi
		died="$name $how"
		echo "run: $died; stopping the other" >&2
		stopping=TERM
		[ -n "$other" ] && kill -TERM "$other" 2> /dev/null
	fi
done

if [ -n "$died" ]; then
	echo "run: FAILED: $died" >&2
	exit 1
fi
if [ "$l2tpd_st" = none ]; then
	echo "run: stopped before l2tpd started (ikd: status $ikd_st)" >&2
	[ "$ikd_st" = 0 ] && exit 0
	exit 1
fi
if [ "$ikd_st" != 0 ] || [ "$l2tpd_st" != 0 ]; then
	echo "run: stopped; ikd status $ikd_st, l2tpd status $l2tpd_st" >&2
	exit 1
fi
echo "run: stopped; ikd and l2tpd exited cleanly" >&2
exit 0
