# shellcheck shell=sh
# shellcheck disable=SC2034 # FAILED, CAPTURE_PID, ... are read by the sourcing script
# guest/lib.sh -- helpers for scripts that run inside the UML guest.
# Sourced; expects E2E_DIR (set by uml-run) or derives it from E2E_GUEST.
#
# Time: the guest clock is read from /proc/uptime (10 ms resolution) with
# shell built-ins only. Every process start costs ~0.1-0.15 s in UML, so
# polling loops are bounded by a deadline, never by a number of tries.

E2E_GUEST=${E2E_GUEST:-$E2E_DIR/guest}
E2E_OUT=${E2E_OUT:-/tmp/e2e-out}
E2E_STATE=${E2E_STATE:-/tmp/e2e}
export E2E_GUEST E2E_OUT E2E_STATE
TOPO=$E2E_GUEST/topology
METRICS=$E2E_OUT/metrics.txt
FAILED=0

# now_cs: guest uptime in centiseconds
now_cs() {
	read -r _up _ < /proc/uptime
	_cs=${_up%.*}${_up#*.}
	_cs=${_cs#"${_cs%%[!0]*}"} # no leading zeros (octal)
	echo "${_cs:-0}"
}

# cs2s CS: centiseconds -> seconds with two decimals
cs2s() {
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}

# since CS: seconds elapsed since the uptime CS (from now_cs)
since() {
	cs2s $(($(now_cs) - $1))
}

log() {
	read -r _up _ < /proc/uptime
	echo "[e2e ${_up}] $*"
}

fail() {
	log "FAIL: $*"
	FAILED=1
	echo "fail=$*" >> "$METRICS"
}

# metric NAME VALUE: record in $E2E_OUT/metrics.txt and show it
metric() {
	echo "$1=$2" >> "$METRICS"
	log "metric $1=$2"
}

# in_host H CMD...: run CMD in lab host H
in_host() {
	"$TOPO" exec "$@"
}

# wait_for SECS WHAT CMD...: run CMD (quietly) every 0.1 s until it
# succeeds; after SECS seconds record a failure and return 1
wait_for() {
	_end=$(($(now_cs) + $1 * 100))
	_what=$2
	shift 2
	until "$@" > /dev/null 2>&1; do
		if [ "$(now_cs)" -gt "$_end" ]; then
			fail "timeout ($_what)"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# start_capture H IFACE FILE LOG [FILTER...]: tcpdump in host H, in the
# background; waits until tcpdump reports it is listening. Sets CAPTURE_PID
# (tcpdump's own PID: topology exec -> nsenter -> tcpdump all exec).
start_capture() {
	_h=$1 _if=$2 _file=$3 _log=$4
	shift 4
	"$TOPO" exec "$_h" tcpdump -Z root -i "$_if" -n -U -w "$_file" "$@" > "$_log" 2>&1 &
	CAPTURE_PID=$!
	wait_for 10 "tcpdump on $_h $_if" grep -q 'listening on' "$_log"
}

# pcap_count FILE FILTER: number of packets in FILE matching FILTER
pcap_count() {
	if [ -n "${2:-}" ]; then
		tcpdump -n -r "$1" "$2" 2> /dev/null | wc -l
	else
		tcpdump -n -r "$1" 2> /dev/null | wc -l
	fi
}

# esp_sa_count H: ESP states in H's kernel
esp_sa_count() {
	in_host "$1" ip xfrm state 2> /dev/null | grep -c 'proto esp'
}

# esp_counter H FIELD: sum over H's ESP states of the current bytes (FIELD=1)
# or packets (FIELD=2) from `ip -s xfrm state`
esp_counter() {
	in_host "$1" ip -s xfrm state 2> /dev/null | awk -v f="$2" '
		/proto esp/ { esp = 1 }
		/lifetime current:/ { cur = esp }
		cur && /bytes/ { n += $f; cur = 0; esp = 0 }
		END { printf "%.0f\n", n }'
}

# probe_exit: a probe's last word: result=PASS or FAIL in $METRICS (by
# FAILED), the same in the log, exit status 0 or 1
probe_exit() {
	if [ "$FAILED" = 0 ]; then
		echo "result=PASS" >> "$METRICS"
		log "PASS"
		exit 0
	fi
	echo "result=FAIL" >> "$METRICS"
	log "FAIL"
	exit 1
}
