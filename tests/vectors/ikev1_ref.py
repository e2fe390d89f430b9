#!/usr/bin/env python3
"""ikev1_ref.py - reference IKEv1 key derivation, written from the text of
RFC 2409 (sections 5, 5.4, 5.5, 5.7 and Appendix B) with Python's hmac and
hashlib only. It shares no code with ikd/crypto.c and exists so that
tests/unit/test_crypto.c checks ikd against a second, independent
computation of the same formulas.

    python3 tests/vectors/ikev1_ref.py tests/vectors

writes tests/vectors/ikev1-<hash>-<cipher>.txt. The inputs are fixed
(derived from labels with SHA-256, so the output is reproducible byte for
byte); every input and every output is written to the file as hex.

Notation from RFC 2409 3.2: "|" is concatenation, prf(key, msg) is the
negotiated PRF, here HMAC with the negotiated hash (RFC 2104). The single
octets 0, 1, 2 in the SKEYID_* and HASH(3) formulas are one byte each.
"""
import hashlib
import hmac
import os
import sys

HASHES = {"sha1": hashlib.sha1, "sha2-256": hashlib.sha256,
          "sha2-384": hashlib.sha384, "sha2-512": hashlib.sha512}

# name: (key length, block length) in bytes
CIPHERS = {"3des-cbc": (24, 8), "aes128-cbc": (16, 16),
           "aes192-cbc": (24, 16), "aes256-cbc": (32, 16)}

CASES = [("sha1", "aes256-cbc"), ("sha1", "3des-cbc"),
         ("sha2-256", "aes256-cbc"), ("sha2-256", "3des-cbc"),
         ("sha2-512", "aes128-cbc")]

PROTO_ESP = 3   # RFC 2407 4.4.1


def prf(hname, key, msg):
    return hmac.new(key, msg, HASHES[hname]).digest()


def hash_(hname, msg):
    return HASHES[hname](msg).digest()


def fixed(label, n):
    """n reproducible bytes for an input called label."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("ikd-ikev1-vector/%s/%d" % (label, i))
                              .encode()).digest()
        i += 1
    return out[:n]


def derive(hname, cname, v):
    keylen, blocklen = CIPHERS[cname]
    o = {}
    ni, nr, gxy = v["ni_b"], v["nr_b"], v["gxy"]
    ci, cr = v["cky_i"], v["cky_r"]
    # 5.4: SKEYID = prf(pre-shared-key, Ni_b | Nr_b)
    skeyid = prf(hname, v["psk"], ni + nr)
    o["skeyid"] = skeyid
    # 5.1 (signatures): SKEYID = prf(Ni_b | Nr_b, g^xy)
    o["skeyid_sig"] = prf(hname, ni + nr, gxy)
    # 5: SKEYID_d, SKEYID_a, SKEYID_e
    d = prf(hname, skeyid, gxy + ci + cr + b"\x00")
    a = prf(hname, skeyid, d + gxy + ci + cr + b"\x01")
    e = prf(hname, skeyid, a + gxy + ci + cr + b"\x02")
    o["skeyid_d"], o["skeyid_a"], o["skeyid_e"] = d, a, e
    # Appendix B: Ka = first bytes of SKEYID_e, or K1 | K2 | ... with
    # K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1), ...
    if len(e) >= keylen:
        ka = e[:keylen]
    else:
        ka = b""
        k = b"\x00"
        while len(ka) < keylen:
            k = prf(hname, e, k)
            ka += k
        ka = ka[:keylen]
    o["ka"] = ka
    # Appendix B: phase 1 IV = hash(g^xi | g^xr), truncated to the block
    o["iv_p1"] = hash_(hname, v["gxi"] + v["gxr"])[:blocklen]
    # 5: HASH_I, HASH_R
    o["hash_i"] = prf(hname, skeyid, v["gxi"] + v["gxr"] + ci + cr +
                      v["sai_b"] + v["idii_b"])
    o["hash_r"] = prf(hname, skeyid, v["gxr"] + v["gxi"] + cr + ci +
                      v["sai_b"] + v["idir_b"])
    # Appendix B: IV of a phase 2 exchange = hash(last phase 1 block | M-ID)
    mid = v["qm_mid"]
    o["qm_iv"] = hash_(hname, v["p1_last_block"] + mid)[:blocklen]
    o["info_iv"] = hash_(hname, v["p1_last_block"] + v["info_mid"])[:blocklen]
    # 5.5: Quick Mode hashes
    o["qm_hash1"] = prf(hname, a, mid + v["qm_rest1"])
    o["qm_hash2"] = prf(hname, a, mid + v["qm_ni_b"] + v["qm_rest2"])
    o["qm_hash3"] = prf(hname, a, b"\x00" + mid + v["qm_ni_b"] +
                        v["qm_nr_b"])
    # 5.7: informational HASH(1) = prf(SKEYID_a, M-ID | N/D)
    o["info_hash"] = prf(hname, a, v["info_mid"] + v["info_body"])

    # 5.5: KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol
    # | SPI | Ni_b | Nr_b), Ki+1 = prf(SKEYID_d, Ki | [g(qm)^xy |] ...)
    def keymat(gqm, spi, n):
        seed = gqm + bytes([PROTO_ESP]) + spi + v["qm_ni_b"] + v["qm_nr_b"]
        out = b""
        k = b""
        while len(out) < n:
            k = prf(hname, d, k + seed)
            out += k
        return out[:n]
    # ESP AES-256-CBC + HMAC-SHA1-96: 32 + 20 bytes, encryption key first
    o["keymat_aes256_sha1"] = keymat(b"", v["spi_r"], 32 + 20)
    # ESP AES-GCM-16 with a 256-bit key: 32 + 4 bytes of salt (RFC 4106 8.1)
    o["keymat_aesgcm16_256"] = keymat(b"", v["spi_i"], 32 + 4)
    # the same as the first, with PFS
    o["keymat_pfs_aes256_sha1"] = keymat(v["gqmxy"], v["spi_r"], 32 + 20)
    return o


def inputs(tag, blocklen):
    v = {}
    v["psk"] = b"ikd known-answer pre-shared key"
    v["ni_b"] = fixed(tag + "/ni", 32)
    v["nr_b"] = fixed(tag + "/nr", 20)
    v["cky_i"] = fixed(tag + "/cky_i", 8)
    v["cky_r"] = fixed(tag + "/cky_r", 8)
    # MODP 2048 sized KE values; the shared secret starts with a zero octet
    # to catch implementations that strip it
    v["gxi"] = fixed(tag + "/gxi", 256)
    v["gxr"] = fixed(tag + "/gxr", 256)
    v["gxy"] = b"\x00" + fixed(tag + "/gxy", 255)
    # SA payload body: DOI IPsec, situation identity only, then one
    # proposal (content arbitrary: only hashed)
    v["sai_b"] = bytes.fromhex("0000000100000001") + fixed(tag + "/sa", 44)
    # ID payload bodies: ID_IPV4_ADDR, UDP port 500 / 4500
    v["idii_b"] = bytes.fromhex("011101f4c0000205")
    v["idir_b"] = bytes.fromhex("01110000c6336407")
    # the last cipher block of phase 1 (of the cipher's block length)
    v["p1_last_block"] = fixed(tag + "/p1_last_block", blocklen)
    v["qm_mid"] = bytes.fromhex("9a3c5e71")
    v["qm_ni_b"] = fixed(tag + "/qm_ni", 16)
    v["qm_nr_b"] = fixed(tag + "/qm_nr", 24)
    v["qm_rest1"] = fixed(tag + "/qm_rest1", 120)
    v["qm_rest2"] = fixed(tag + "/qm_rest2", 100)
    v["info_mid"] = bytes.fromhex("00000e11")
    v["info_body"] = fixed(tag + "/info", 28)
    v["spi_i"] = bytes.fromhex("c1a2b3d4")
    v["spi_r"] = bytes.fromhex("0badcafe")
    v["gqmxy"] = fixed(tag + "/gqmxy", 256)
    return v


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for hname, cname in CASES:
        tag = "%s-%s" % (hname, cname)
        v = inputs(tag, CIPHERS[cname][1])
        o = derive(hname, cname, v)
        path = os.path.join(outdir, "ikev1-%s-%s.txt" % (
            hname.replace("sha2-", "sha"), cname.replace("-cbc", "")))
        with open(path, "w") as f:
            f.write("# IKEv1 (RFC 2409) key derivation, %s PRF, %s.\n"
                    % (hname, cname))
            f.write("# Generated by tests/vectors/ikev1_ref.py, an "
                    "independent Python\n# implementation of the RFC 2409 "
                    "formulas (hmac/hashlib only).\n# Regenerate: python3 "
                    "tests/vectors/ikev1_ref.py tests/vectors\n")
            f.write("hash = %s\ncipher = %s\n" % (hname, cname))
            f.write("# inputs\n")
            for k, val in v.items():
                f.write("%s = %s\n" % (k, val.hex()))
            f.write("# outputs\n")
            for k, val in o.items():
                f.write("%s = %s\n" % (k, val.hex()))


if __name__ == "__main__":
    main()
