#!/bin/sh
# guest/smoke.sh -- quick check of the guest itself (no daemons): kernel,
# the lab's modules, writes staying in guest RAM, the output folder.
#   tests/e2e/uml-run tests/e2e/guest/smoke.sh; echo $?    # 0 = fine
set -u
rc=0
echo "kernel $(uname -r), guest uptime $(cut -d' ' -f1 /proc/uptime)s"
for m in esp4 xfrm_user l2tp_ppp ppp_generic veth xt_policy iptable_nat xt_MASQUERADE; do
	if modprobe "$m"; then echo "modprobe $m: ok"; else echo "modprobe $m: FAILED"; rc=1; fi
done
[ -c /dev/ppp ] || { echo "no /dev/ppp"; rc=1; }
# the root is the host's, read-only underneath: this write must stay here
if touch /etc/e2e-overlay-probe; then echo "write to /etc: went to the guest overlay"; else rc=1; fi
echo ok > "${E2E_OUT:-/umlout}/smoke.txt" || rc=1
exit $rc
