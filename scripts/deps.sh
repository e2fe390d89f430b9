#!/bin/sh
# deps.sh -- install the Debian 12 packages needed to build, test and run
# the project. Idempotent and non-interactive: packages already present are
# not touched, and apt is only called when something is missing.
#
#   scripts/deps.sh            everything (build, unit, fuzz, e2e lab)
#   scripts/deps.sh build      only what `make` needs
set -eu

BUILD="gcc make pkg-config libc6-dev libssl-dev libevent-dev libconfig-dev
 libmnl-dev ppp-dev"
# openssl: the CLI checks vpn-pki's output in test_pki (tests only).
TEST="libcmocka-dev clang libclang-rt-14-dev openssl"
# The end-to-end lab: the UML kernel with ESP/L2TP/PPP modules, and the
# real, unmodified peers (strongSwan initiator/responder, xl2tpd, pppd);
# python3-cryptography for tests/vectors/record-lab-kat.sh (decrypts the
# recorded MM5/MM6/Quick Mode); faketime for the expired client
# certificate of the cert-refused scenario (tests/e2e/guest/cert.sh).
LAB="user-mode-linux strongswan strongswan-starter strongswan-swanctl
 libstrongswan-standard-plugins xl2tpd ppp iperf3 tcpdump iptables iproute2
 iputils-ping procps kmod util-linux
 libnss3-tools libcap-ng0 libcurl3-nss libevent-core-2.1-7
 libevent-pthreads-2.1-7 libldap-2.5-0 libldns3 libnspr4 libnss3
 libunbound8 libaudit1 libpam0g libselinux1 libsystemd0
 python3-cryptography faketime"

case ${1:-all} in
build) want=$BUILD ;;
all) want="$BUILD $TEST $LAB" ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has empty package lists; update once, then install.
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
echo "deps: ok"
