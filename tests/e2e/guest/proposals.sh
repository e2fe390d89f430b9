# shellcheck shell=sh
# shellcheck disable=SC2034 # PSET_* are read by the sourcing scripts
# guest/proposals.sh -- the proposal-set matrix: what the stock L2TP/IPsec
# clients propose (see /work/shared/research/windows-client.md, sections
# 1.2, 2.1, 6.1 and 6.2), one set per scenario. Sourced by run.sh (to
# validate scenario names) and by guest/scenario.sh (--proposal SET): the
# client then proposes exactly that IKE and that ESP proposal, nothing
# else, and the scenario checks that the server negotiated them.
#
#   SET           IKE (phase 1)            ESP (Quick Mode)  whose
#   win-ecp384    aes256-sha1-ecp384       aes256-sha1       Windows 10/11, 1st
#   win-ecp256    aes128-sha1-ecp256       aes128-sha1       Windows 10/11, 2nd
#   win-modp2048  aes256-sha1-modp2048     aes256-sha1       Windows 10/11, 3rd
#   apple         aes256-sha256-modp2048   aes256-sha256     macOS/iOS, 1st
#   android-aes   aes128-sha1-modp1024     aes128-sha1       Android (racoon)
#   android-3des  3des-sha1-modp1024       3des-sha1         Android (racoon)
#
# Debian's Libreswan 4.10 is built without modp1024 (`algparse
# 'ike=aes128-sha1-modp1024'`: "IKE DH algorithm 'modp1024' is not
# supported"): the android-* sets run with the strongSwan client only.

PSET_ALL="win-ecp384 win-ecp256 win-modp2048 apple android-aes android-3des"

# proposal_set SET: sets PSET_IKE and PSET_ESP; 1 if SET is unknown
proposal_set() {
	case $1 in
	win-ecp384) PSET_IKE=aes256-sha1-ecp384 PSET_ESP=aes256-sha1 ;;
	win-ecp256) PSET_IKE=aes128-sha1-ecp256 PSET_ESP=aes128-sha1 ;;
	win-modp2048) PSET_IKE=aes256-sha1-modp2048 PSET_ESP=aes256-sha1 ;;
	apple) PSET_IKE=aes256-sha256-modp2048 PSET_ESP=aes256-sha256 ;;
	android-aes) PSET_IKE=aes128-sha1-modp1024 PSET_ESP=aes128-sha1 ;;
	android-3des) PSET_IKE=3des-sha1-modp1024 PSET_ESP=3des-sha1 ;;
	*) return 1 ;;
	esac
	return 0
}

# proposal_client_ok SET CLIENT: 0 if CLIENT can propose SET; else prints
# why not
proposal_client_ok() {
	proposal_set "$1" || { echo "unknown proposal set '$1' (known: $PSET_ALL)"; return 1; }
	case $2:$PSET_IKE in
	libreswan:*modp1024*)
		echo "Debian's Libreswan 4.10 has no modp1024: set '$1' ($PSET_IKE) runs with the strongSwan client only"
		return 1
		;;
	esac
	return 0
}

# proposal_kernel_algs ESP: what `ip xfrm state` must show for an ESP
# proposal, as "ENC/KEYBITS AUTH/TRUNCBITS"
proposal_kernel_algs() {
	case ${1%-*} in
	aes256) _enc='cbc(aes)/256' ;;
	aes128) _enc='cbc(aes)/128' ;;
	3des) _enc='cbc(des3_ede)/192' ;;
	*) return 1 ;;
	esac
	case ${1##*-} in
	sha1) _auth='hmac(sha1)/96' ;;
	sha256) _auth='hmac(sha256)/128' ;; # RFC 4868
	*) return 1 ;;
	esac
	echo "$_enc $_auth"
}
