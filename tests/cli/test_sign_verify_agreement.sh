#!/usr/bin/env bash
# Property test: neac's signer and verifier agree, and the independent tools agree with both.
#
# Every PDF of the Vietnamese and pyHanko corpora ($NEAC_CORPUS_DIR/vi, .../pyhanko/pdf, recursively)
# that neac signs is signed three times in a chain (the output of signature 1 is the input of
# signature 2, and so on), alternating visible and invisible signatures (V-I-V on even-numbered
# files, I-V-I on odd ones; visible at the file's signature keyword when the corpus names one, else
# --page 1 --rect with a box that overlaps no earlier signer's), each signer with its own key and
# certificate from the test PKI: 1 RSA (signer-rsa), 2 EC P-256 (signer-p256), 3 another RSA key and
# identity (signer-other). After each step, on the whole file:
#   - neac verify --trust <test root> exits 0 and passes every signature neac made (not only the
#     last); signatures the corpus file already had keep the indication they had before neac
#     appended (their roots are not trusted, so they need not pass; the exit code is then the
#     original file's);
#   - pdfsig calls every signature neac made valid, and the last one total;
#   - mutool sign -v reports no change after the last signature;
#   - qpdf --check is clean, or has only the warnings the input already had;
#   - openssl cms -verify accepts the CMS of every signature neac made, over its byte ranges, against
#     the test root.
# The first `neac sign` of a file may refuse it with exit 4 (encrypted, damaged): the file is
# skipped and counted; any other failure to sign is a failure. Every file is checked (two workers)
# and every disagreement is reported, grouped by message, before the test fails.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

corpus=${NEAC_CORPUS_DIR:-/nonexistent}
[ -d "$corpus/vi" ] && [ -d "$corpus/pyhanko/pdf" ] ||
    skip "corpus not found at $corpus (needs vi/ and pyhanko/pdf/)"
start=$SECONDS
use_pki
root="$pki/root-ca.pem"
pkcs12_profile s1 signer-rsa
pkcs12_profile s2 signer-p256
pkcs12_profile s3 signer-other 079188004321
workers=2
# Python for the judging, once per step: /usr/bin/python3 starts in a third of the time a pyenv
# shim takes, which matters for ~400 calls on a loaded 2-core machine.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

judge="$tmp/judge.py"
cat >"$judge" <<'PY'
"""judge.py prep DIR ORIG TRUTH        keywords for visible steps (KW<TAB>OCCURRENCE lines)
   judge.py step DIR K OUT VRC QRC QRC0  every finding of step K as FAIL/NOTE lines; writes the
                                         CMS of each neac signature to DIR/cmsK-J/ and prints
                                         CMS DIR/cmsK-J J lines for openssl; RECT x,y,w,h: a free
                                         box on page 1 for the next visible step"""
import json, os, re, sys

sys.path.insert(0, os.path.join(os.environ["NEAC_SOURCE_DIR"], "tests", "support"))
import pdfsigtool  # noqa: E402  (the independent extractor the other tests use)


def ind(s):
    return s["indication"] + ("/" + s["sub_indication"] if s.get("sub_indication") else "")


def load(path):
    try:
        return json.load(open(path, encoding="utf-8"))
    except Exception as e:  # noqa: BLE001 - unreadable output is a finding
        return {"_error": "no JSON (%s)" % str(e)[:80]}


def text(path):
    try:
        return open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return ""


def overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def free_rect(d):
    """A box on page 1 (as --rect takes it: displayed, from the CropBox corner) that overlaps no
    earlier visible signature there."""
    w, h, rot = 595.0, 842.0, 0
    for line in text(os.path.join(d, "pdfinfo")).splitlines():
        m = re.match(r"Page\s+1 CropBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", line)
        if m:
            x1, y1, x2, y2 = (float(v) for v in m.groups())
            w, h = abs(x2 - x1), abs(y2 - y1)
        m = re.match(r"Page\s+1 rot:\s+(\d+)", line)
        if m:
            rot = int(m.group(1)) % 360
    if rot in (90, 270):
        w, h = h, w
    boxes = []
    for k in (1, 2, 3):
        s = load(os.path.join(d, "sign%d.json" % k))
        f = s.get("files", [{}])[0]
        if f.get("ok") and not f.get("invisible") and f.get("page") == 1 and f.get("box"):
            boxes.append(tuple(f["box"]))
    bw, bh = min(150.0, w / 3 - 12), min(50.0, h / 5)
    for y in (12.0, h - bh - 12):
        for i in range(3):
            r = (round(6 + i * w / 3, 2), round(y, 2), round(bw, 2), round(bh, 2))
            if not any(overlap(r, b) for b in boxes):
                return "%g,%g,%g,%g" % r
    return None


def cmd_prep(d, orig, truth):
    print("RECT %s" % free_rect(d))
    if not os.path.exists(truth):
        return
    first = None
    seen = set()
    for k in json.load(open(truth, encoding="utf-8"))["keywords"]:
        occ = k.get("signature_occurrence")
        if occ is None or k["keyword"].startswith("(") or k["keyword"].casefold() in seen:
            continue
        o = k["occurrences"][occ]
        if o.get("role") != "signature":
            continue
        seen.add(k["keyword"].casefold())
        if first is None:
            first = o
            print("KW %s\t%d" % (k["keyword"], occ + 1))
        elif o["page"] != first["page"] or abs(o["bbox"][0] - first["bbox"][0]) > 200:
            print("KW %s\t%d" % (k["keyword"], occ + 1))  # a second signature block, away from the first
            return


def judge_verify(d, k, rc):
    v, b = load(os.path.join(d, "verify%d.json" % k)), load(os.path.join(d, "before.json"))
    if "_error" in v:
        yield "verify: %s (exit %d)" % (v["_error"], rc)
        return
    f = v["files"][0]
    if f.get("status") != "checked":
        yield "verify: %s: %s (exit %d)" % (f.get("status"), f.get("error"), rc)
        return
    before = b["files"][0].get("signatures", []) if "_error" not in b else []
    n0 = len(before)
    sigs = f.get("signatures", [])
    if len(sigs) != n0 + k:
        yield ("verify: %d signatures found, expected %d (%d already in the file + %d by neac)"
               % (len(sigs), n0 + k, n0, k))
        return
    for i, s in enumerate(sigs[:n0]):
        if ind(s) != ind(before[i]):
            yield ("verify: signature #%d already in the file was %s, now %s: %s"
                   % (i + 1, ind(before[i]), ind(s), "; ".join(
                       s.get("errors", []) + [c["what"] for c in s.get("changes", []) if not c.get("allowed")])))
    for j, s in enumerate(sigs[n0:], 1):
        if s["indication"] != "PASSED":
            why = list(s.get("errors", []))
            why += ["change not allowed: " + c.get("what", "") for c in s.get("changes", [])
                    if not c.get("allowed") and c.get("what", "") not in " ".join(why)]
            yield "verify: neac signature %d/%d %s: %s" % (j, k, ind(s), "; ".join(why) or "(no reason given)")
    want = 0 if n0 == 0 else b.get("exit_code")
    if rc != want:
        yield "verify: exit %d, expected %s%s" % (rc, want, " (problems: %s)" % "; ".join(f["problems"])
                                                   if f.get("problems") else "")


def judge_pdfsig(d, k, ranges):
    rep = text(os.path.join(d, "pdfsig%d" % k))
    blocks = re.split(r"(?m)^(?=Signature #\d+:)", rep)
    for j, (a, l1, c, l2) in enumerate(ranges, 1):
        key = "Signed Ranges: [%d - %d], [%d - %d]" % (a, a + l1, c, c + l2)
        blk = [x for x in blocks if key in x]
        if not blk:
            yield "pdfsig: neac signature %d/%d not listed (%s)" % (j, k, (rep.strip().splitlines() or [""])[-1][:100])
            continue
        val = re.search(r"Signature Validation: (.*)", blk[0])
        if not val or val.group(1).strip() != "Signature is Valid.":
            yield "pdfsig: neac signature %d/%d: %s" % (j, k, val.group(1).strip() if val else "no validation line")
        if j == k and "Total document signed" not in blk[0]:
            yield "pdfsig: last neac signature: not total document signed"


def judge_mutool(d, k):
    """mutool names a signature by its field's object number: the field neac sign reports, as
    qpdf --json lists it."""
    rep_path = os.path.join(d, "mutool%d" % k)
    if not os.path.exists(rep_path):
        return
    name = load(os.path.join(d, "sign%d.json" % k))["files"][0].get("field")
    fields = load(os.path.join(d, "acroform%d.json" % k)).get("acroform", {}).get("fields", [])
    objs = [f["object"] for f in fields if f.get("fullname") == name and f.get("fieldtype") == "/Sig"]
    num = objs[-1].split()[0] if objs else None
    rep = text(rep_path)
    blocks = {m.group(1): m.group(2) for m in re.finditer(
        r"(?ms)^Verifying signature (\d+):\n(.*?)(?=^Verifying signature |\Z)", rep)}
    blk = blocks.get(num) if num else None
    if blk is None:
        if not blocks:
            yield "NOTE mutool lists no signature" + (": " + rep.strip().splitlines()[-1] if rep.strip() else "")
        elif num is None:
            yield "mutool: qpdf --json lists no signature field %r" % name
        else:
            yield "mutool: the last signature (field %s, object %s) is not listed" % (name, num)
        return
    if "unchanged since signing" not in blk:
        yield "mutool: last signature: " + " / ".join(
            l.strip() for l in blk.splitlines() if l.strip() and "name:" not in l)


def warnings(path, pdf):
    return {l.replace(pdf, "FILE") for l in text(path).splitlines() if "warning" in l.lower()}


def judge_qpdf(d, k, out, orig, qrc, qrc0):
    if qrc == 0:
        return
    new = sorted(warnings(os.path.join(d, "qpdf%d" % k), out) - warnings(os.path.join(d, "qpdf0"), orig))
    if qrc != 3 or new:
        other = [l for l in text(os.path.join(d, "qpdf%d" % k)).splitlines()
                 if not re.match(r"(checking|PDF Version|File is not|Extra Trailer|R = |P = |User password)", l)]
        yield "qpdf --check exit %d (input: %d): %s" % (qrc, qrc0, (new or other or [""])[0].replace(out, "FILE"))


def cmd_step(d, k, out, orig, vrc, qrc, qrc0):
    k, vrc, qrc, qrc0 = int(k), int(vrc), int(qrc), int(qrc0)
    for line in judge_verify(d, k, vrc):
        print("FAIL " + line)
    data = open(out, "rb").read()
    ranges = pdfsigtool.ranges(data)[-k:]
    for line in judge_pdfsig(d, k, ranges):
        print("FAIL " + line)
    for line in judge_mutool(d, k):
        print(line if line.startswith("NOTE ") else "FAIL " + line)
    for line in judge_qpdf(d, k, out, orig, qrc, qrc0):
        print("FAIL " + line)
    for j, (a, b, c, l2) in enumerate(ranges, 1):  # as pdfsigtool.py extract does
        gap = data[a + b:c]
        if not (gap.startswith(b"<") and gap.endswith(b">")):
            print("FAIL cannot extract neac signature %d/%d: the gap is not a hex string" % (j, k))
            continue
        blob = bytes.fromhex(gap[1:-1].decode())
        ex = os.path.join(d, "cms%d-%d" % (k, j))
        os.makedirs(ex, exist_ok=True)
        open(os.path.join(ex, "sig.der"), "wb").write(blob[:pdfsigtool.der_length(blob)])
        open(os.path.join(ex, "content.bin"), "wb").write(data[a:a + b] + data[c:c + l2])
        print("CMS %s %d" % (ex, j))
    if k < 3:
        print("RECT %s" % free_rect(d))


cmd = sys.argv[1]
globals()["cmd_" + cmd](*sys.argv[2:])
PY

# check_file FILE INDEX: the whole chain for one corpus file; appends result lines to $results:
#   SIGNED|REFUSED|CHAINOK<TAB>file    FAIL|NOTE<TAB>file<TAB>step<TAB>message
check_file() {
    local f=$1 idx=$2
    local rel=${f#"$corpus"/}
    local id=${rel//\//_}
    local d="$wtmp/${id%.pdf}"
    mkdir -p "$d"
    local failures=0
    fail_here() { printf 'FAIL\t%s\t%s\t%s\n' "$rel" "$1" "$2" >>"$results"; failures=$((failures + 1)); }

    # Visible steps use the corpus's signature keywords (vi/*.json) first, then free boxes.
    local pattern=(V I V)
    [ $((idx % 2)) = 1 ] && pattern=(I V I)
    timeout 20 pdfinfo -box -f 1 -l 1 "$f" >"$d/pdfinfo" 2>/dev/null || true
    local kws=() rect="" line
    while IFS= read -r line; do
        case "$line" in
        KW\ *) kws+=("${line#KW }") ;;
        RECT\ *) rect=${line#RECT } ;;
        esac
    done < <("$py" "$judge" prep "$d" "$f" "$([[ "$rel" == vi/* ]] && echo "${f%.pdf}.json")")

    # The input's qpdf --check, for its warnings.
    local qrc0=0
    timeout 30 qpdf --check "$f" >"$d/qpdf0" 2>&1 || qrc0=$?

    local in=$f k args out vis=0
    for k in 1 2 3; do
        out="$d/s$k.pdf"
        args=(--invisible)
        if [ "${pattern[$((k - 1))]}" = V ]; then
            if [ $vis -lt ${#kws[@]} ]; then
                args=(--keyword "${kws[$vis]%%$'\t'*}" --occurrence "${kws[$vis]#*$'\t'}")
            elif [ "$rect" != None ]; then
                args=(--page 1 --rect "$rect")
            else
                fail_here "$k" "test: no free box on page 1"
                return
            fi
            vis=$((vis + 1))
        fi
        run timeout 20 "$NEAC" --json sign "$in" --profile "s$k" -o "$out" "${args[@]}"
        if [ "$status" != 0 ]; then
            if [ "$k" = 1 ] && [ "$status" = 4 ]; then
                printf 'REFUSED\t%s\n' "$rel" >>"$results"
            else
                fail_here "$k" "neac sign ${args[*]} exit $status: $(grep -v '^\s*$' "$ERR" | head -1)"
            fi
            return
        fi
        cp "$OUT" "$d/sign$k.json"
        if [ "$k" = 1 ]; then
            printf 'SIGNED\t%s\n' "$rel" >>"$results"
            timeout 20 "$NEAC" --json verify "$f" --trust "$root" >"$d/before.json" 2>/dev/null
        fi

        # The tools' verdicts, then one judge over all of them.
        local vrc=0 qrc=0
        timeout 20 "$NEAC" --json verify "$out" --trust "$root" >"$d/verify$k.json" 2>"$d/verify$k.err" || vrc=$?
        timeout 30 pdfsig "$out" >"$d/pdfsig$k" 2>&1
        # mutool 1.21 loops on a circular form tree and dies without a verdict.
        if [ "${id%.pdf}" != pyhanko_pdf_form-tree-circular-ref-input ]; then
            timeout 30 mutool sign -v "$out" >"$d/mutool$k" 2>&1
            timeout 30 qpdf --json --json-key=acroform "$out" >"$d/acroform$k.json" 2>/dev/null
        fi
        timeout 30 qpdf --check "$out" >"$d/qpdf$k" 2>&1 || qrc=$?
        local cms=()
        while IFS= read -r line; do
            case "$line" in
            "FAIL "*) fail_here "$k" "${line#FAIL }" ;;
            "NOTE "*) printf 'NOTE\t%s\t%s\t%s\n' "$rel" "$k" "${line#NOTE }" >>"$results" ;;
            "CMS "*) cms+=("${line#CMS }") ;;
            "RECT "*) rect=${line#RECT } ;;
            *) fail_here "$k" "test: judge.py: $line" ;;
            esac
        done < <("$py" "$judge" step "$d" "$k" "$out" "$f" "$vrc" "$qrc" "$qrc0" 2>&1)

        # openssl cms -verify of each neac signature over its byte ranges, against the root.
        local c
        for c in "${cms[@]}"; do
            local ex=${c% *} j=${c##* }
            openssl cms -verify -binary -inform DER -in "$ex/sig.der" -content "$ex/content.bin" \
                -CAfile "$root" -purpose any -out /dev/null 2>"$ex/err" ||
                fail_here "$k" "openssl cms -verify, neac signature $j/$k: $(grep -v '^\s*$' "$ex/err" | head -1)"
        done
        in=$out
    done
    [ "$failures" = 0 ] && printf 'CHAINOK\t%s\n' "$rel" >>"$results"
    return 0
}
# Every file ends with a DONE line, whatever happened to it (a worker that dies shows as missing).
check_file_done() {
    check_file "$@"
    printf 'DONE\t%s\n' "${1#"$corpus"/}" >>"$results"
}
mapfile -t files < <(find "$corpus/vi" "$corpus/pyhanko/pdf" -type f -name '*.pdf' | sort)
step "${#files[@]} corpus files, $workers workers, 3 signatures each"
for ((w = 0; w < workers; w++)); do
    cp -r "$NEAC_HOME" "$tmp/home$w"
    (
        set +e
        export NEAC_HOME="$tmp/home$w"
        OUT="$tmp/.stdout$w" ERR="$tmp/.stderr$w"
        results="$tmp/results$w" wtmp="$tmp/w$w"
        : >"$results"
        for ((i = w; i < ${#files[@]}; i += workers)); do
            check_file_done "${files[$i]}" "$i"
        done
    ) &
done
wait

cat "$tmp"/results[0-9]* >"$tmp/results"
count() { grep -c "^$1"$'\t' "$tmp/results" || true; }
signed=$(count SIGNED)
chains=$(count CHAINOK)
refused=$(count REFUSED)
failed=$(cut -f1,2 "$tmp/results" | { grep '^FAIL' || true; } | sort -u | wc -l)
finished=$(count DONE)
if grep -q '^NOTE' "$tmp/results"; then
    echo "notes:" >&2
    grep '^NOTE' "$tmp/results" | cut -f2- | sort | sed 's/^/  /' >&2
fi
if [ "$failed" -gt 0 ]; then
    echo "FAILURES (message, then file:step):" >&2
    grep '^FAIL' "$tmp/results" | python3 -c '
import sys, collections
groups = collections.OrderedDict()
for line in sys.stdin:
    _, f, k, msg = line.rstrip("\n").split("\t", 3)
    groups.setdefault(msg, []).append("%s:%s" % (f, k))
for msg in sorted(groups):
    print("  " + msg)
    print("      " + " ".join(groups[msg]))
' >&2
fi
echo "agreement: ${#files[@]} files, $signed signed, $chains chains of 3 verified by every tool, $refused skipped (refused, exit 4), $failed with failures; $((SECONDS - start)) s" >&2
last_cmd=""
[ "$finished" = "${#files[@]}" ] || fail "only $finished of ${#files[@]} files were checked to the end"
[ "$failed" = 0 ] || { fail "$failed files: signer and verifier (or the independent tools) disagree"; }
pass
