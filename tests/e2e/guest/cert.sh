# shellcheck shell=sh
# shellcheck disable=SC2034,SC2317 # CLIENT_CONN etc. read by the modules; functions via wait_for
# guest/cert.sh -- certificate authentication (issue 5) for
# guest/scenario.sh --cert, --cert-refused and --cert-frag (run.sh
# scenarios cert, cert-libreswan, cert-refused, cert-frag). Sourced.
#
# The PKI is made inside the guest, fresh for every run, in
# $E2E_STATE/pki (guest tmpfs) with the project's own build/vpn-pki:
#   pki/     init; server --dns vpn.e2e.test --ip 192.0.2.1 (subject
#            CN=vpn.e2e.test, the client's rightid); client e2e-client
#   with --cert-refused also:
#     pki/    client e2e-old under `faketime 2020-01-01` (valid 2020-2021:
#             expired), client e2e-revoked then `revoke e2e-revoked`
#             (crl.pem), client intruder (CN=intruder: valid, but not in
#             ike.cert_allow "CN=e2e-*")
#     other/  a second CA (init --cn "E2E Other CA"), client e2e-other
#             (subject allowed, issuer unknown to the server)
# The server module's server_set_cert PKI gives the server its CA,
# certificate, key, CRL and cert_allow; the client module's
# client_set_cert PKI NAME:DIR... gives the client one connection per
# certificate (strongSwan: conn NAME with leftcert NAME.crt; Libreswan:
# the NSS database gets NAME.p12), CLIENT_CONN is the one to dial.
#
# --cert-refused (strongSwan): before the scenario's own dial, each of
# e2e-other, e2e-old, e2e-revoked, intruder dials IKE in turn. Each must
# produce, within 30 s, a new line in the server's IKE log
#   <peer 192.0.2.2:PORT>: certificate refused (cookies I/R):
#     subject "CN=NAME", issuer "CN=ISSUER": REASON
# (server_cert_refused_check; the cookies must be the exchange's on the
# wire), no ISAKMP SA established, no XFRM state at all in the server's
# kernel and no ESP SA in the client's; then the good certificate dials
# IKE (2 ESP SAs both sides) and hangs up again. The scenario then goes
# on as usual with the good certificate: L2TP, PPP, pings, ESP, wire
# and the server module's session checks.
#
# --cert-frag (strongSwan): the client fragments every IKE message over
# 200 bytes (fragmentation=force, charon.fragment_size=200); after the
# usual dial the server's wire capture must show the client's MM5 as
# several IKE fragments (next payload 132; cert_frag_check).
#
# --cert-ecdsa (strongSwan): a second PKI, pki-ec/ (init --ecdsa --cn
# "E2E EC CA", server --ecdsa with the same names, client e2e-ec --ecdsa:
# P-256 keys); the server trusts both CAs and holds its RSA certificate
# (cert_file) and the ECDSA one (ike.server_certs); the client dials
# with e2e-ec (authby=ecdsasig) and trusts only the EC CA, so the server
# must pick its ECDSA certificate for the negotiated ECDSA method.
#
# E2E_CERT_BREAK (environment; to show the refusals can fail): a list of
# ca (the server also trusts the other CA), crl (no crl_file),
# allow (no cert_allow), time (e2e-old is made without faketime: valid).

CERT_PKI=$E2E_STATE/pki
CERT_OTHER=$E2E_STATE/pki-other
CERT_PW=$E2E_STATE/pki-password
VPN_PKI=${VPN_PKI:-$E2E_REPO/build/vpn-pki}
CERT_SERVER_ID="CN=vpn.e2e.test"
CERT_CA_CN="L2TP-IPsec VPN CA" # vpn-pki's default CA name
CERT_OTHER_CN="E2E Other CA"
CERT_EC=$E2E_STATE/pki-ec
CERT_EC_CN="E2E EC CA"
CERT_ECDSA=${CERT_ECDSA:-0}
CLIENT_CONN=${CLIENT_CONN:-L2TP-PSK}

cert_broken() { # WHAT: is WHAT in E2E_CERT_BREAK?
	case " ${E2E_CERT_BREAK:-} " in *" $1 "*) return 0 ;; esac
	return 1
}

# cert_pki_make REFUSED(0|1): the PKI as described above; metric pki_make_s
cert_pki_make() {
	_t=$(now_cs)
	[ -x "$VPN_PKI" ] || { fail "no $VPN_PKI (make first)"; return 1; }
	rm -rf "$CERT_PKI" "$CERT_OTHER" "$CERT_EC"
	_l=$E2E_STATE/vpn-pki.log
	# the test-only PKCS#12 password (Libreswan's import)
	echo "e2e-p12-not-secret" > "$CERT_PW"
	{
		"$VPN_PKI" -d "$CERT_PKI" init &&
			"$VPN_PKI" -d "$CERT_PKI" server --dns vpn.e2e.test --ip 192.0.2.1 &&
			"$VPN_PKI" -d "$CERT_PKI" client e2e-client --password-file "$CERT_PW"
	} > "$_l" 2>&1 || { fail "vpn-pki (see $_l)"; return 1; }
	if [ "$CERT_ECDSA" = 1 ]; then
		{
			"$VPN_PKI" -d "$CERT_EC" init --ecdsa --cn "$CERT_EC_CN" &&
				"$VPN_PKI" -d "$CERT_EC" server --ecdsa --dns vpn.e2e.test --ip 192.0.2.1 &&
				"$VPN_PKI" -d "$CERT_EC" client e2e-ec --ecdsa --password-file "$CERT_PW"
		} >> "$_l" 2>&1 || { fail "vpn-pki --ecdsa (see $_l)"; return 1; }
	fi
	if [ "$1" = 1 ]; then
		_ft="faketime 2020-01-01"
		cert_broken time && _ft=
		{
			$_ft "$VPN_PKI" -d "$CERT_PKI" client e2e-old --password-file "$CERT_PW" &&
				"$VPN_PKI" -d "$CERT_PKI" client e2e-revoked --password-file "$CERT_PW" &&
				"$VPN_PKI" -d "$CERT_PKI" client intruder --password-file "$CERT_PW" &&
				"$VPN_PKI" -d "$CERT_OTHER" init --cn "$CERT_OTHER_CN" &&
				"$VPN_PKI" -d "$CERT_OTHER" client e2e-other --password-file "$CERT_PW" &&
				"$VPN_PKI" -d "$CERT_PKI" revoke e2e-revoked
		} >> "$_l" 2>&1 || { fail "vpn-pki (see $_l)"; return 1; }
		"$VPN_PKI" -d "$CERT_PKI" list > "$E2E_OUT/pki-list.txt" 2>&1
		sed 's/^/  vpn-pki list: /' "$E2E_OUT/pki-list.txt"
		# the preconditions of the refusals: what the server is to find
		if ! cert_broken time; then
			grep -q ' expired .* CN = e2e-old$' "$E2E_OUT/pki-list.txt" || { fail "e2e-old is not expired (faketime?)"; return 1; }
		fi
		grep -q ' revoked .* CN = e2e-revoked$' "$E2E_OUT/pki-list.txt" || { fail "e2e-revoked is not revoked"; return 1; }
	fi
	metric pki_make_s "$(since "$_t")"
}

# cert_setup: PKI, then the server's and the client's parts (staged
# copies, before `topology up`)
cert_setup() {
	command -v server_set_cert > /dev/null 2>&1 || { fail "server $SERVER has no certificate support"; return 1; }
	command -v client_set_cert > /dev/null 2>&1 || { fail "client $CLIENT has no certificate support"; return 1; }
	cert_pki_make "$CERT_REFUSED" || return 1
	server_set_cert "$CERT_PKI" || { fail "server_set_cert"; return 1; }
	_names="e2e-client:$CERT_PKI"
	_trust=$CERT_PKI
	CLIENT_CONN=e2e-client
	[ "$CERT_REFUSED" = 0 ] || _names="$_names e2e-other:$CERT_OTHER e2e-old:$CERT_PKI e2e-revoked:$CERT_PKI intruder:$CERT_PKI"
	if [ "$CERT_ECDSA" = 1 ]; then
		_names="e2e-ec:$CERT_EC"
		_trust=$CERT_EC
		CLIENT_CONN=e2e-ec
	fi
	# shellcheck disable=SC2086 # NAME:DIR words
	client_set_cert "$_trust" $_names || { fail "client_set_cert"; return 1; }
	if [ "$CERT_FRAG" = 1 ]; then
		command -v client_set_frag > /dev/null 2>&1 || { fail "client $CLIENT cannot force IKE fragments"; return 1; }
		client_set_frag 200 || { fail "client_set_frag"; return 1; }
	fi
	log "certificates: server $CERT_SERVER_ID, client CN=$CLIENT_CONN${E2E_CERT_BREAK:+ (E2E_CERT_BREAK: $E2E_CERT_BREAK)}"
}

# ---- --cert-refused ----

# the cookie pairs (I/R, R not zero) of the client's IKE packets on the
# server's wire so far
wire_cookie_pairs() {
	tcpdump -n -vv -r "$E2E_OUT/server-eth0.pcap" 'src host 192.0.2.2 and (udp port 500 or udp port 4500)' 2> /dev/null |
		sed -n 's/.* cookie \([0-9a-f]\{16\}\)->\([0-9a-f]\{16\}\).*/\1\/\2/p' | grep -v '/0000000000000000$' | sort -u
}

# cert_refused_attempt NAME ISSUER_CN REASON
cert_refused_attempt() {
	_n=$1 _iss=$2 _why=$3
	# the server module's log and lines (ikd's by default)
	_log=${SERVER_CERT_LOG:-$SERVER_IKE_LOG}
	_pat=${SERVER_CERT_REFUSED:-certificate refused}
	_est=${SERVER_CERT_ESTABLISHED:-ISAKMP SA established}
	_c0=$(grep -c "$_pat" "$_log" 2> /dev/null)
	_e0=$(grep -c "$_est" "$_log" 2> /dev/null)
	_cp0=$(wire_cookie_pairs)
	# strongSwan's `ipsec up` waits through all its retransmissions
	in_host client timeout 60 ipsec up "$_n" > "$E2E_STATE/client/ipsec-up-$_n.log" 2>&1 &
	_up=$!
	_t=$(now_cs)
	refused_logged() { [ "$(grep -c "$_pat" "$_log" 2> /dev/null)" -gt "${_c0:-0}" ]; }
	if ! wait_for 30 "server log: certificate of $_n refused" refused_logged; then
		kill "$_up" 2> /dev/null
		in_host client timeout 20 ipsec down "$_n" > /dev/null 2>&1
		tail -n 5 "$_log" | sed 's/^/  server: /'
		return 1
	fi
	metric "cert_${_n}_refused_s" "$(since "$_t")"
	# the client gives up (a Delete of its half-open SA); its
	# retransmissions stop
	in_host client timeout 20 ipsec down "$_n" > "$E2E_STATE/client/ipsec-down-$_n.log" 2>&1
	kill "$_up" 2> /dev/null
	wait "$_up" 2> /dev/null
	_line=$(grep "$_pat" "$_log" | tail -n +$((${_c0:-0} + 1)) | head -n 1)
	_cnt=$(($(grep -c "$_pat" "$_log") - ${_c0:-0}))
	echo "  server: ${_line#* * }"
	metric "cert_${_n}_refusal_lines" "$_cnt"
	[ "$_cnt" -eq 1 ] || fail "$_n: $_cnt 'certificate refused' lines, want 1"
	# the exchange's cookies: the pair that is new on the wire
	_cp=$(wire_cookie_pairs | grep -vxF "${_cp0:-none}")
	metric "cert_${_n}_wire_cookies" "$(echo "$_cp" | tr '\n' ' ' | sed 's/ $//')"
	[ "$(echo "$_cp" | grep -c .)" -eq 1 ] || fail "$_n: want one new cookie pair on the wire, got: $(echo "$_cp" | tr '\n' ' ')"
	server_cert_refused_check "$_line" "$_cp" "CN=$_n" "CN=$_iss" "$_why"
	[ "$(grep -c "$_est" "$_log")" -eq "${_e0:-0}" ] ||
		fail "$_n: the server established an ISAKMP SA"
	# no kernel state at all on the server, no ESP SA on the client
	_ns=$(in_host server ip xfrm state 2> /dev/null | grep -c '^src ')
	metric "cert_${_n}_server_xfrm_states" "$_ns"
	[ "$_ns" -eq 0 ] || fail "$_n: $_ns XFRM states in the server's kernel after the refusal"
	_nc=$(esp_sa_count client)
	[ "$_nc" -eq 0 ] || fail "$_n: $_nc ESP SAs in the client's kernel after the refusal"
	return 0
}

# a good certificate dials IKE and hangs up: the server still works
cert_good_dial() { # AFTER
	_t=$(now_cs)
	client_ike_up
	good_up() { [ "$(esp_sa_count client)" -ge 2 ] && [ "$(esp_sa_count server)" -ge 2 ]; }
	if ! wait_for 10 "good certificate dials IKE after $1" good_up; then
		return 1
	fi
	metric "cert_good_after_${1}_ike_s" "$(since "$_t")"
	client_ike_down
	# the client's Delete: the server removes the SAs
	no_states() { [ "$(in_host server ip xfrm state 2> /dev/null | grep -c '^src ')" -eq 0 ]; }
	wait_for 10 "server drops the SAs after the good dial's Delete ($1)" no_states
}

cert_refused_run() {
	command -v server_cert_refused_check > /dev/null 2>&1 || die_now "server $SERVER cannot check certificate refusals"
	[ "$CLIENT" = strongswan ] || die_now "cert-refused needs --client strongswan"
	_ok=0
	for _a in "e2e-other:$CERT_OTHER_CN:unable to get local issuer certificate" \
		"e2e-old:$CERT_CA_CN:certificate has expired" \
		"e2e-revoked:$CERT_CA_CN:certificate revoked" \
		"intruder:$CERT_CA_CN:subject not allowed by ike.cert_allow"; do
		_nm=${_a%%:*}
		_r=${_a#*:}
		cert_refused_attempt "$_nm" "${_r%%:*}" "${_r#*:}" && _ok=$((_ok + 1))
		cert_good_dial "$_nm" || fail "the server refused the good certificate after $_nm"
	done
	metric cert_refusals_seen "$_ok/4"
}

# ---- --cert-frag ----

# the server's wire: the client's MM5 came as several IKE fragments. In
# order: the server's MM4 (its last unencrypted Main Mode packet before
# the first encrypted one, MM6); the client's packets between the first
# MM4 and MM6 with next payload 132 (IKE fragment) are MM5's fragments:
# >= 2, one fragment ID, numbers 1..N, the LAST flag on N.
cert_frag_check() {
	# shellcheck disable=SC2016 # an awk program
	tcpdump -n -tt -x -r "$E2E_OUT/server-eth0.pcap" 'udp port 500 or (udp port 4500 and udp[8:4] = 0)' 2> /dev/null | awk '
		BEGIN { for (i = 0; i < 16; i++) hex[substr("0123456789abcdef", i + 1, 1)] = i }
		function byte(s) { return hex[substr(s, 1, 1)] * 16 + hex[substr(s, 2, 1)] }
		function flush(   ihl, u, i, np, fl, ex, nat) {
			if (nb == 0) return
			ihl = (b[0] % 16) * 4
			u = ihl + 8 # ISAKMP header (UDP 500)
			if (b[ihl + 2] * 256 + b[ihl + 3] == 4500) u += 4 # non-ESP marker
			np = b[u + 16]; ex = b[u + 18]; fl = b[u + 19]
			# frag payload: 4 generic + id(2) number(1) flags(1)
			printf "%s %s %d %d %d", ts, dir, np, ex, fl % 2
			if (np == 132) printf " %d %d %d", b[u + 32] * 256 + b[u + 33], b[u + 34], b[u + 35]
			printf "\n"
			nb = 0
		}
		/^[0-9]+\.[0-9]+ IP / { flush(); ts = $1; dir = ($3 ~ /^192\.0\.2\.1\./) ? "S" : "C"; next }
		/^\t0x[0-9a-f]+:/ {
			for (i = 2; i <= NF; i++) {
				if ($i !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) break
				b[nb++] = byte(substr($i, 1, 2)); b[nb++] = byte(substr($i, 3, 2))
			}
		}
		END { flush() }' > "$E2E_OUT/ike-packets.txt"
	# lines: TS DIR NEXT_PAYLOAD EXCH ENCRYPTED [FRAG_ID NUMBER FLAGS]
	_cfr=$(awk '$2 == "C" && $3 == 132' "$E2E_OUT/ike-packets.txt" | wc -l)
	metric client_ike_fragments "$_cfr"
	# the sending side: MM6 (our certificate) to a client that fragments
	# goes out as fragments of its size (ikd/exchange.c, mirror rule)
	_sfr=$(awk '$2 == "S" && $3 == 132 { n++; ids[$6] = 1 }
		END { k = 0; for (i in ids) k++; printf "%d/%d\n", n, k }' \
	    "$E2E_OUT/ike-packets.txt")
	metric server_ike_fragments_ids "$_sfr"
	[ "${_sfr%/*}" -ge 2 ] || fail "ikd sent no IKE fragments to a client that fragments ($_sfr)"
	# shellcheck disable=SC2046 # four words
	set -- $(awk '
		# The server messages in order: MM2 (SA first), MM4, MM6.
		# ikd fragments MM4 and MM6 too when the client fragments
		# (mirror rule, ikd/exchange.c), so a new fragment ID is a new
		# message; a resent one keeps its ID and counts once.
		$2 == "S" && $3 == 132 { if (!($6 in sid)) { sid[$6] = 1; smsg++ } }
		$2 == "S" && $3 == 1 && $5 == 0 && !sa { sa = 1; smsg++ }
		$2 == "S" && $3 == 4 && $5 == 0 && !ke { ke = 1; smsg++ }
		$2 == "S" && $3 != 132 && $5 == 1 && !enc { enc = 1; smsg++ }
		# MM5: what the client fragments after MM4, before MM6
		smsg == 2 && $2 == "C" && $3 == 132 {
			n++; ids[$6] = 1; if ($7 > max) max = $7; if ($8 % 2) last = $7; seen[$7] = 1
		}
		END {
			k = 0; for (i in ids) k++
			ok = (n >= 2 && k == 1 && last == max); for (i = 1; i <= max; i++) if (!seen[i]) ok = 0
			printf "%d %d %d %s\n", n, k, max, (ok ? "ok" : "bad")
		}' "$E2E_OUT/ike-packets.txt")
	metric mm5_fragments_ids_max "$1/$2/$3"
	[ "$1" -ge 2 ] || fail "the client's MM5 did not arrive as several IKE fragments ($1 fragments between MM4 and MM6)"
	[ "$4" = ok ] || fail "MM5's fragments: $1 fragments, $2 fragment IDs, numbers up to $3, last flag on ${3}: not one complete message"
	if [ -n "${SERVER_IKE_LOG:-}" ]; then
		_re=$(grep -c 'reassembled .* from [0-9]* fragments' "$SERVER_IKE_LOG")
		metric server_reassembled_messages "$_re"
		[ "$_re" -ge 1 ] || fail "the server logged no reassembled message"
		# MM5: both cookies set, as many fragments as on the wire
		grep -q "/[0-9a-f]*[1-9a-f][0-9a-f]* id [0-9]*: reassembled [0-9]* bytes from $1 fragments" "$SERVER_IKE_LOG" ||
			fail "the server logged no reassembly of MM5 from its $1 fragments"
	fi
}

# after the scenario's IKE dial: the server authenticated the client by
# its certificate (peer ID = its subject DN), not by a PSK
cert_dial_check() {
	if [ -n "${SERVER_IKE_LOG:-}" ]; then
		_l=$(grep 'ISAKMP SA established' "$SERVER_IKE_LOG" | tail -n 1)
		metric server_isakmp_sa "${_l#*ISAKMP SA established: }"
		_ca=$CERT_CA_CN
		[ "$CERT_ECDSA" = 0 ] || _ca=$CERT_EC_CN
		case $_l in *"peer ID CN=$CLIENT_CONN, certificate \"CN=$CLIENT_CONN\" from \"CN=$_ca\","*) ;; *) fail "the server's ISAKMP SA is not with peer ID CN=$CLIENT_CONN, certificate from CN=$_ca" ;; esac
		case $_l in *" psk "*) fail "the server's ISAKMP SA was authenticated with a PSK" ;; esac
		if [ "$CERT_ECDSA" = 1 ]; then
			# ECDSA P-256 (RFC 4754), and our ECDSA certificate: the
			# client trusts only the EC CA, so it verified that one
			case $_l in *" ecdsa256 "*) ;; *) fail "the server's ISAKMP SA is not ECDSA P-256 (ecdsa256)" ;; esac
		fi
	else
		_c=$E2E_STATE/server/run/charon.log
		grep -q "authentication of 'CN=e2e-client' with RSA.* successful" "$_c" ||
			fail "charon: no RSA authentication of CN=e2e-client"
	fi
}
