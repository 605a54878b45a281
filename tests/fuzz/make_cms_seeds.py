#!/usr/bin/env python3
"""Seeds for fuzz_cms and fuzz_timestamp from signed PDFs, in one process (scripts/fuzz).

  make_cms_seeds.py CMS_DIR TIMESTAMP_DIR LIST

LIST has one "PDF<TAB>NAME" per line. For each signature of each PDF (at most 8), writes
CMS_DIR/NAME-I.der: the CMS with the digest of its byte ranges appended (fuzz_cms checks detached
signatures against it); TIMESTAMP_DIR/NAME-I-doc-timestamp.der when the CMS is a document
timestamp's token, and TIMESTAMP_DIR/NAME-I-token.der for a signature time-stamp token inside a
signature (found with `openssl asn1parse` by tests/support/cms_parts.py)."""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pdfsigtool import der_length, ranges  # noqa: E402

# id-ct-TSTInfo: a document timestamp's /Contents is an RFC 3161 token, whose eContentType sits
# near the start (a signature's token sits far later, among the unsigned attributes).
TST_INFO = b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x04"
DIGESTS = {b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01": "sha256",
           b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x02": "sha384",
           b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x03": "sha512",
           b"\x06\x05\x2b\x0e\x03\x02\x1a": "sha1"}
CMS_PARTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                         "cms_parts.py")


def seeds_of(pdf, name, cms_dir, ts_dir, work):
    data = open(pdf, "rb").read()
    for i, (a, b, c, d) in enumerate(ranges(data)[:8]):
        gap = data[a + b:c]
        if not (gap.startswith(b"<") and gap.endswith(b">")):
            continue
        try:
            blob = bytes.fromhex(gap[1:-1].decode())
            cms = blob[:der_length(blob)]
        except ValueError:
            continue
        content = data[a:a + b] + data[c:c + d]
        if 0 <= cms.find(TST_INFO) < 80:
            open(os.path.join(ts_dir, f"{name}-{i}-doc-timestamp.der"), "wb").write(cms)
        # The first digest algorithm OID in the CMS is that of SignedData.digestAlgorithms.
        found = sorted((cms.find(o), alg) for o, alg in DIGESTS.items() if cms.find(o) >= 0)
        digest = hashlib.new(found[0][1], content).digest() if found else b""
        open(os.path.join(cms_dir, f"{name}-{i}.der"), "wb").write(cms + digest)
        der = os.path.join(work, "sig.der")
        open(der, "wb").write(cms)
        token = os.path.join(work, "token.der")
        if os.path.exists(token):
            os.unlink(token)
        if subprocess.run([sys.executable, CMS_PARTS, der, work], capture_output=True).returncode \
                == 0 and os.path.exists(token):
            os.replace(token, os.path.join(ts_dir, f"{name}-{i}-token.der"))


def main():
    cms_dir, ts_dir, listing = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as work:
        for line in open(listing, encoding="utf-8"):
            pdf, _, name = line.rstrip("\n").partition("\t")
            if pdf:
                try:
                    seeds_of(pdf, name, cms_dir, ts_dir, work)
                except (OSError, IndexError):
                    pass  # a seed not made, not a failure


if __name__ == "__main__":
    main()
