#!/usr/bin/env python3
"""lab_kat_extract.py - turn one recorded lab exchange into a known-answer
vector file for tests/unit/test_kat_lab.c.

    lab_kat_extract.py --pcap server-eth0.pcap --charon charon.log \
        --xfrm xfrm-state.txt --psk PSK --header TEXT... --out FILE

The exchange is IKEv1 Main Mode with a pre-shared key plus one Quick Mode,
between two implementations neither of which is ours, recorded in the UML
lab (tests/vectors/record-lab-kat.sh). This script computes NO key
material itself: it only

  * reads the inputs off the wire (pcap, UDP/500): the cookies, SAi_b,
    g^xi, g^xr, Ni_b, Nr_b, the Quick Mode nonces, M-ID and SPIs;
  * reads what charon logged (filelog ike=4, chd=4: keymat_v1.c's
    "shared Diffie Hellman secret", "SKEYID", "SKEYID_d/_a/_e",
    "encryption key Ka", "initial IV", "HASH_I"/"HASH_R", "Hash(1..3)",
    the ESP keys);
  * decrypts MM5/MM6 and the Quick Mode messages with the logged Ka and
    the logged IVs (AES/3DES-CBC from python3-cryptography) to take IDii_b,
    IDir_b and the HASH_I/HASH_R/HASH(1..3) the peers actually sent, and
  * reads the ESP keys the kernel holds (`ip -s xfrm state`).

Every output is cross-checked between two of these sources (e.g. HASH_R
as sent in MM6 == charon's log; the HASH_I data charon logged == the
concatenation of the wire inputs; the ESP keys in the kernel == charon's
CHD log), and the peer implementation accepted every hash, which is what
makes the values known answers. Any mismatch aborts with a message.
"""
import argparse
import re
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # TripleDES moved to "decrepit" in newer releases
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # python3-cryptography 38 (Debian 12)
    TripleDES = algorithms.TripleDES

ISAKMP_HDR = 28
# payload types (RFC 2408 3.1)
PL_SA, PL_PROP, PL_KE, PL_ID, PL_HASH, PL_NONCE = 1, 2, 4, 5, 8, 10
EXCH_MAIN, EXCH_QUICK = 2, 32
FLAG_ENC = 1


def die(msg):
    sys.exit("lab_kat_extract: " + msg)


def need(cond, msg):
    if not cond:
        die(msg)


# --- pcap: classic libpcap, Ethernet, IPv4, UDP ---

def udp500_payloads(path):
    """[(src ip, payload)] of the UDP/500 datagrams, in capture order."""
    data = open(path, "rb").read()
    need(len(data) >= 24, "pcap too short")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        die("not a pcap file: " + path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    need(linktype == 1, "pcap link type %d, expected Ethernet" % linktype)
    out = []
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17:
            continue
        udp = ip[ihl:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        if sport != 500 or dport != 500:
            continue
        need(ulen <= len(udp), "truncated UDP datagram in the capture")
        out.append((".".join(str(b) for b in ip[12:16]), udp[8:ulen]))
    return out


# --- ISAKMP ---

def header(msg):
    need(len(msg) >= ISAKMP_HDR, "short ISAKMP message")
    cki, ckr, np_, ver, exch, flags, mid, length = struct.unpack(
        ">8s8sBBBBII", msg[:ISAKMP_HDR])
    need(length == len(msg), "ISAKMP length %d != datagram %d"
         % (length, len(msg)))
    return dict(cki=cki, ckr=ckr, np=np_, exch=exch, flags=flags, mid=mid)


def payloads(first, body):
    """[(type, whole payload incl. generic header)] and the chain's length
    (the end of the data: encrypted bodies carry padding after it)."""
    out = []
    off = 0
    t = first
    while t != 0:
        need(off + 4 <= len(body), "payload header past the end")
        nxt, _res, plen = struct.unpack(">BBH", body[off:off + 4])
        need(plen >= 4 and off + plen <= len(body), "bad payload length")
        out.append((t, body[off:off + plen]))
        off += plen
        t = nxt
    return out, off


def only(pls, t, what):
    found = [p for (pt, p) in pls if pt == t]
    need(len(found) == 1, "%s: %d payloads of type %d" % (what, len(found), t))
    return found[0]


def cbc_decrypt(cipher, key, iv, ct):
    algo = algorithms.AES(key) if cipher.startswith("aes") else TripleDES(key)
    d = Cipher(algo, modes.CBC(iv)).decryptor()
    return d.update(ct) + d.finalize()


# --- charon's log ---

DUMP_HEAD = re.compile(
    r"^\S+ (\d+)\[(\w+)\] (.+?) => (\d+) bytes @ 0x[0-9a-f]+$")
DUMP_LINE = re.compile(r"^\S+ (\d+)\[(\w+)\]\s+(\d+): (.*)$")


def charon_dumps(path):
    """{name: [bytes, ...]} of every "NAME => N bytes" hex dump, in order."""
    dumps = {}
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    i = 0
    while i < len(lines):
        m = DUMP_HEAD.match(lines[i])
        i += 1
        if not m:
            continue
        thread, name, n = m.group(1), m.group(3), int(m.group(4))
        buf = b""
        while len(buf) < n:
            need(i < len(lines), "hex dump of %s cut off" % name)
            d = DUMP_LINE.match(lines[i])
            need(d is not None and d.group(1) == thread and
                 int(d.group(3)) == len(buf), "hex dump of %s broken" % name)
            take = min(16, n - len(buf))
            buf += bytes.fromhex("".join(d.group(4).split()[:take]))
            i += 1
        dumps.setdefault(name, []).append(buf)
    return dumps


def one(dumps, name):
    v = dumps.get(name, [])
    need(len(v) >= 1, "charon log has no '%s' dump (log levels?)" % name)
    need(all(x == v[0] for x in v), "charon logged several different '%s'"
         % name)
    return v[0]


def selected(path, kind):
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r"selected proposal: %s:(\S+)" % kind, line)
        if m:
            return m.group(1)
    die("no 'selected proposal: %s' in the charon log" % kind)
    return None


# --- ip -s xfrm state ---

def xfrm_keys(path):
    """{spi: (enc key, auth key)} of the ESP SAs in `ip xfrm state` output."""
    out = {}
    spi = None
    for line in open(path, encoding="utf-8"):
        m = re.search(r"proto esp spi 0x([0-9a-f]{8})", line)
        if m:
            spi = bytes.fromhex(m.group(1))
            out[spi] = [None, None]
            continue
        m = re.match(r"\s+(auth-trunc|auth|enc) \S+ 0x([0-9a-f]+)", line)
        if m and spi is not None:
            out[spi][0 if m.group(1) == "enc" else 1] = bytes.fromhex(
                m.group(2))
    for spi, (enc, auth) in out.items():
        need(enc is not None and auth is not None,
             "xfrm state of SPI %s without keys (ip -s xfrm state?)"
             % spi.hex())
    return out


PROPOSALS = {
    # charon's IKE proposal -> (hash name, cipher name) of the vector file
    "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1": ("sha1", "aes256-cbc"),
    "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1": ("sha1", "aes128-cbc"),
    "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256":
        ("sha2-256", "aes256-cbc"),
    "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1": ("sha1", "3des-cbc"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--charon", required=True)
    ap.add_argument("--xfrm", required=True)
    ap.add_argument("--psk", required=True)
    # which side charon was: it logs the IV of the MM5 or MM6 it encrypted
    ap.add_argument("--charon-role", choices=("responder", "initiator"),
                    default="responder")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    ike = selected(a.charon, "IKE")
    suite = None
    for k, v in PROPOSALS.items():
        if ike.startswith(k + "/"):
            suite = v
    need(suite is not None, "unsupported IKE proposal " + ike)
    hname, cname = suite
    bl = 16 if cname.startswith("aes") else 8
    esp = selected(a.charon, "ESP")

    # the messages, first copy of each (retransmissions are identical)
    msgs = []
    for src, m in udp500_payloads(a.pcap):
        if m not in [x[1] for x in msgs]:
            msgs.append((src, m))
    mm = [(s, m) for (s, m) in msgs if header(m)["exch"] == EXCH_MAIN]
    need(len(mm) == 6, "%d distinct Main Mode messages, expected 6"
         % len(mm))
    qm = [(s, m) for (s, m) in msgs if header(m)["exch"] == EXCH_QUICK]
    need(len(qm) == 3, "%d distinct Quick Mode messages, expected 3"
         % len(qm))
    init_ip = mm[0][0]
    for n, (s, _m) in enumerate(mm + qm):
        need((s == init_ip) == (n % 2 == 0),
             "message %d comes from the wrong side" % (n + 1))

    h1 = header(mm[0][1])
    cky_i = h1["cki"]
    cky_r = header(mm[1][1])["ckr"]
    pl1, _ = payloads(h1["np"], mm[0][1][ISAKMP_HDR:])
    sai_b = only(pl1, PL_SA, "MM1")[4:]
    pl3, _ = payloads(header(mm[2][1])["np"], mm[2][1][ISAKMP_HDR:])
    gxi = only(pl3, PL_KE, "MM3")[4:]
    ni_b = only(pl3, PL_NONCE, "MM3")[4:]
    pl4, _ = payloads(header(mm[3][1])["np"], mm[3][1][ISAKMP_HDR:])
    gxr = only(pl4, PL_KE, "MM4")[4:]
    nr_b = only(pl4, PL_NONCE, "MM4")[4:]

    d = charon_dumps(a.charon)
    gxy = one(d, "shared Diffie Hellman secret")
    skeyid = one(d, "SKEYID")
    skeyid_d = one(d, "SKEYID_d")
    skeyid_a = one(d, "SKEYID_a")
    skeyid_e = one(d, "SKEYID_e")
    ka = one(d, "encryption key Ka")
    iv_p1 = one(d, "initial IV")
    need(len(iv_p1) == bl, "initial IV length")

    # MM5 / MM6: decrypt with the logged key and IV chain
    plain = []
    iv = iv_p1
    for n in (4, 5):
        h = header(mm[n][1])
        need(h["flags"] & FLAG_ENC, "MM%d not encrypted" % (n + 1))
        ct = mm[n][1][ISAKMP_HDR:]
        pt = cbc_decrypt(cname, ka, iv, ct)
        pls, used = payloads(h["np"], pt)
        need(used <= len(pt) and len(pt) - used < 2 * bl,
             "MM%d: decrypted payload chain does not fit" % (n + 1))
        plain.append((iv, ct, pt, pls))
        iv = ct[-bl:]
    mm5_iv, mm5_ct, mm5_pt, pl5 = plain[0]
    mm6_iv, mm6_ct, mm6_pt, pl6 = plain[1]
    p1_last = mm6_ct[-bl:]
    idii_b = only(pl5, PL_ID, "MM5")[4:]
    hash_i = only(pl5, PL_HASH, "MM5")[4:]
    idir_b = only(pl6, PL_ID, "MM6")[4:]
    hash_r = only(pl6, PL_HASH, "MM6")[4:]

    # cross-checks: charon's HASH inputs are the wire's, its HASHes are the
    # ones sent / received
    need(one(d, "HASH_I data") == gxi + gxr + cky_i + cky_r + sai_b + idii_b,
         "charon's HASH_I data is not g^xi|g^xr|CKY-I|CKY-R|SAi_b|IDii_b "
         "from the wire")
    need(one(d, "HASH_R data") == gxr + gxi + cky_r + cky_i + sai_b + idir_b,
         "charon's HASH_R data is not the wire's")
    need(one(d, "HASH_I") == hash_i, "HASH_I in MM5 != charon's")
    need(one(d, "HASH_R") == hash_r, "HASH_R in MM6 != charon's")
    # the IV charon encrypted its own MM5 or MM6 with
    need((mm6_iv if a.charon_role == "responder" else mm5_iv)
         in d.get("IV", []), "the IV of charon's MM5/MM6 is not in its log")

    # Quick Mode: IV = hash(last phase 1 block | M-ID). charon logs it as
    # "next IV for MID <mid>" (responder, on receipt) or as the "IV" it
    # encrypted QM1 with (initiator): the one under which QM1 decrypts to
    # a payload chain carrying the HASH(1) charon logged is taken.
    hq = header(qm[0][1])
    mid = hq["mid"]
    hash1 = one(d, "Hash(1)")
    cands = d.get("next IV for MID %d" % mid, []) + d.get("IV", [])
    qplain = []
    iv = None
    for n in range(3):
        h = header(qm[n][1])
        need(h["mid"] == mid and h["flags"] & FLAG_ENC,
             "QM%d: M-ID / encryption" % (n + 1))
        ct = qm[n][1][ISAKMP_HDR:]
        if iv is None:
            for c in cands:
                pt = cbc_decrypt(cname, ka, c, ct)
                if pt[0] == 0 or pt[4:4 + len(hash1)] != hash1:
                    continue
                iv = c
                break
            need(iv is not None, "no logged IV decrypts QM1 to HASH(1)")
        pt = cbc_decrypt(cname, ka, iv, ct)
        pls, used = payloads(h["np"], pt)
        need(len(pt) - used < 2 * bl and pls[0][0] == PL_HASH,
             "QM%d: decrypted payload chain does not fit" % (n + 1))
        qplain.append((iv, ct, pt, pls, used))
        iv = ct[-bl:]
    qm_iv = qplain[0][0]
    q1, q2, q3 = qplain
    qm_hash1 = q1[3][0][1][4:]
    qm_rest1 = q1[2][len(q1[3][0][1]):q1[4]]
    qm_ni_b = only(q1[3], PL_NONCE, "QM1")[4:]
    qm_hash2 = q2[3][0][1][4:]
    qm_rest2 = q2[2][len(q2[3][0][1]):q2[4]]
    qm_nr_b = only(q2[3], PL_NONCE, "QM2")[4:]
    qm_hash3 = q3[3][0][1][4:]
    need(len(q3[3]) == 1, "QM3 carries more than HASH(3)")
    need(one(d, "Hash(1)") == qm_hash1, "HASH(1) in QM1 != charon's")
    need(one(d, "Hash(2)") == qm_hash2, "HASH(2) in QM2 != charon's")
    need(one(d, "Hash(3)") == qm_hash3, "HASH(3) in QM3 != charon's")

    def esp_spi(pls, what):
        sa = only(pls, PL_SA, what)
        # SA: generic(4) DOI(4) situation(4), then the first proposal
        prop = sa[12:]
        spi_size = prop[6]
        need(prop[5] == 3 and spi_size == 4, what + ": not an ESP SPI")
        return prop[8:12]
    spi_i = esp_spi(q1[3], "QM1")
    spi_r = esp_spi(q2[3], "QM2")

    # KEYMAT: the kernel's keys (enc | auth), cross-checked with charon's;
    # the SA towards the responder carries its SPI (spi_r)
    x = xfrm_keys(a.xfrm)
    need(set(x) == {spi_i, spi_r}, "xfrm SPIs %s != QM SPIs %s/%s"
         % ([s.hex() for s in x], spi_i.hex(), spi_r.hex()))
    km_r = x[spi_r][0] + x[spi_r][1]
    km_i = x[spi_i][0] + x[spi_i][1]
    need(one(d, "encryption initiator key") + one(d, "integrity initiator key")
         == km_r, "kernel keys of SPI %s != charon's initiator keys"
         % spi_r.hex())
    need(one(d, "encryption responder key") + one(d, "integrity responder key")
         == km_i, "kernel keys of SPI %s != charon's responder keys"
         % spi_i.hex())

    rows = [
        ("hash", hname), ("cipher", cname), None, "# inputs (wire, log)",
        ("psk", a.psk.encode().hex()),
        ("cky_i", cky_i.hex()), ("cky_r", cky_r.hex()),
        ("ni_b", ni_b.hex()), ("nr_b", nr_b.hex()),
        ("gxi", gxi.hex()), ("gxr", gxr.hex()), ("gxy", gxy.hex()),
        ("sai_b", sai_b.hex()),
        ("idii_b", idii_b.hex()), ("idir_b", idir_b.hex()),
        ("mm5_enc", mm5_ct.hex()), ("mm6_enc", mm6_ct.hex()),
        ("qm_mid", struct.pack(">I", mid).hex()),
        ("qm1_enc", q1[1].hex()),
        ("qm_ni_b", qm_ni_b.hex()), ("qm_nr_b", qm_nr_b.hex()),
        ("qm_rest1", qm_rest1.hex()), ("qm_rest2", qm_rest2.hex()),
        ("spi_i", spi_i.hex()), ("spi_r", spi_r.hex()),
        ("esp", esp),
        ("esp_enc_len", str(len(x[spi_r][0]))),
        ("esp_auth_len", str(len(x[spi_r][1]))),
        None, "# outputs",
        ("skeyid", skeyid.hex()), ("skeyid_d", skeyid_d.hex()),
        ("skeyid_a", skeyid_a.hex()), ("skeyid_e", skeyid_e.hex()),
        ("ka", ka.hex()), ("iv_p1", iv_p1.hex()),
        ("mm5_plain", mm5_pt.hex()), ("mm6_plain", mm6_pt.hex()),
        ("hash_i", hash_i.hex()), ("hash_r", hash_r.hex()),
        ("p1_last_block", p1_last.hex()),
        ("qm_iv", qm_iv.hex()), ("qm1_plain", q1[2].hex()),
        ("qm_hash1", qm_hash1.hex()), ("qm_hash2", qm_hash2.hex()),
        ("qm_hash3", qm_hash3.hex()),
        ("keymat_spi_r", km_r.hex()), ("keymat_spi_i", km_i.hex()),
    ]
    with open(a.out, "w") as f:
        for line in a.header:
            f.write("# " + line + "\n" if line else "#\n")
        for r in rows:
            if r is None:
                continue
            if isinstance(r, str):
                f.write(r + "\n")
            else:
                f.write("%s = %s\n" % r)
    print("lab_kat_extract: %s: %s %s, ESP %s, all cross-checks passed"
          % (a.out, hname, cname, esp))


if __name__ == "__main__":
    main()
