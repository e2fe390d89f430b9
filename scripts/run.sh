#!/bin/sh
# run.sh -- `make run`: start the server (ikd + l2tpd) in the foreground on
# the default configuration, conf/vpn.conf (CONF=file to use another).
# Ctrl-C stops it; ikd removes every SA and policy it installed.
set -u
cd "$(dirname "$0")/.." || exit 2
CONF=${CONF:-conf/vpn.conf}

if [ "$(id -u)" != 0 ]; then
	echo "run: must run as root (IKE ports 500/4500, kernel XFRM)" >&2
	exit 2
fi

# Both daemons must accept the file before anything starts.
build/ikd --check-config -f "$CONF" > /dev/null || exit 1
build/l2tpd --check-config -f "$CONF" > /dev/null || exit 1

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
	echo "run: the server needs ESP, L2TP and PPP; try it in the lab:" \
	    "tests/e2e/run.sh -s ikd direct (a UML kernel that has them," \
	    "a real strongSwan + xl2tpd + pppd client)" >&2
	exit 2
fi

# XXX l2tpd's service loop lands with issue #4; until then only ikd runs
# (IKE, kernel SAs and the L2TP policy).
echo "run: starting ikd on $CONF (l2tpd: issue #4, not built yet)" >&2
exec build/ikd -d -v -f "$CONF"
