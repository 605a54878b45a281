#!/usr/bin/env python3
"""Splits a CMS SignedData (DER, one SignerInfo) with `openssl asn1parse` into the parts a test
checks by hand: OUTDIR/signed-attrs.der (the signed attributes re-tagged as a SET, i.e. the bytes
the signature covers), OUTDIR/signature.bin (the SignerInfo signature value) and, when present,
OUTDIR/token.der (the signature time-stamp token).  Usage: cms_parts.py CMS.der OUTDIR"""
import subprocess
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    der = open(path, "rb").read()
    lines = subprocess.run(["openssl", "asn1parse", "-inform", "DER", "-in", path],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines:
        head = line.split(":")[0]
        off = int(head)
        depth = int(line.split("d=")[1].split()[0])
        hl = int(line.split("hl=")[1].split()[0])
        length = int(line.split(" l=")[1].split()[0])
        rows.append((off, depth, hl, length, line))
    # signerInfos is the last SET at depth 3; each SignerInfo is a SEQUENCE at depth 4 and its
    # fields are at depth 5.
    signer_start = max(off for off, d, _, _, line in rows if d == 3 and "SET" in line)
    fields = [r for r in rows if r[0] > signer_start and r[1] == 5]
    for off, _, hl, length, line in fields:
        if "cont [ 0 ]" in line:
            open(out + "/signed-attrs.der", "wb").write(b"\x31" + der[off + 1:off + hl + length])
        elif "OCTET STRING" in line:
            open(out + "/signature.bin", "wb").write(der[off + hl:off + hl + length])
    for i, (off, d, hl, length, line) in enumerate(rows):
        if "id-smime-aa-timeStampToken" in line:
            t_off, _, t_hl, t_len, _ = rows[i + 2]
            open(out + "/token.der", "wb").write(der[t_off:t_off + t_hl + t_len])


if __name__ == "__main__":
    main()
