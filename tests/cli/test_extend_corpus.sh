#!/usr/bin/env bash
# neac extend on files other software signed: the EU DSS corpus files its manifest calls INTACT
# and pyHanko's signed files. Their certificates name OCSP responders and CRLs on the Internet,
# which the test never reaches (a proxy that refuses every connection, loopback excepted), so
# each file gets what can be had (--allow-incomplete) and a document timestamp from the TSA
# simulator. What must hold: no earlier signature changes its verdict (intact, valid, byte
# ranges), the new document timestamp is intact and valid, qpdf still reads the file cleanly,
# pdfsig finds as many valid signatures as before, and without --allow-incomplete every file
# fails with exit 5 and stays as it was.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/ltv_lib.sh"

corpus="${NEAC_CORPUS_DIR:-}"
[ -f "$corpus/dss/MANIFEST.tsv" ] && [ -d "$corpus/pyhanko/pdf" ] ||
    skip "no third-party corpus at ${corpus:-NEAC_CORPUS_DIR}"

ltv_start
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1,localhost
export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy

mkdir "$tmp/in" "$tmp/out"
while IFS=$'\t' read -r file expected _rest; do
    [ "$expected" = INTACT ] && cp "$corpus/dss/$file" "$tmp/in/dss-$file"
done <"$corpus/dss/MANIFEST.tsv"
for f in "$corpus"/pyhanko/pdf/*.pdf; do
    python3 "$sigtool" count "$f" 2>/dev/null | grep -qv '^0$' && cp "$f" "$tmp/in/pyhanko-$(basename "$f")"
done
count=$(find "$tmp/in" -name '*.pdf' | wc -l)
[ "$count" -ge 20 ] || fail "only $count signed corpus files found"

step "without --allow-incomplete the Internet's answers are missing: those files fail unchanged"
cp -r "$tmp/in" "$tmp/in.orig"
run "$NEAC" --json extend "$tmp/in" --level B-LT --in-place
# 7: most fail; a file whose signers are self-signed needs no revocation data and is extended.
assert_eq "$status" 7 "exit of extend without --allow-incomplete"
json_check "$OUT" 'sum(f["status"] == "failed" for f in d["files"]) >= len(d["files"]) - 2'
json_check "$OUT" 'all("validation data is missing" in f["error"] or "encrypted" in f["error"] or "cross-reference" in f["error"] for f in d["files"] if f["status"] == "failed")'
for name in $(json_get "$OUT" '" ".join(f["input"].split("/")[-1] for f in d["files"] if f["status"] == "failed")'); do
    cmp -s "$tmp/in/$name" "$tmp/in.orig/$name" || fail "a failed extend changed $name"
done
rm -r "$tmp/in"
mv "$tmp/in.orig" "$tmp/in"

step "$count signed files get what can be had and a new document timestamp (--renew: also those B-LTA already)"
run "$NEAC" --json extend "$tmp/in" --renew --tsa "$ltv_tsa" --allow-incomplete \
    --out-dir "$tmp/out"
cp "$OUT" "$tmp/extend.json"
extended=0
for f in "$tmp"/in/*.pdf; do
    name=$(basename "$f")
    status_of=$(json_get "$tmp/extend.json" \
        "[x[\"status\"] for x in d[\"files\"] if x[\"input\"].endswith(\"/$name\")][0]")
    if [ "$status_of" != extended ] && [ "$status_of" != renewed ]; then
        # Only files neac must not append to may be refused: damaged cross-reference chains
        # and encrypted files.
        error=$(json_get "$tmp/extend.json" \
            "[x.get(\"error\", \"\") for x in d[\"files\"] if x[\"input\"].endswith(\"/$name\")][0]")
        case "$error" in
        *cross-reference* | *encrypted*) ;;
        *) fail "$name was not extended: $error" ;;
        esac
        continue
    fi
    extended=$((extended + 1))
    out="$tmp/out/$name"
    "$NEAC" --json verify "$f" >"$tmp/before.json" 2>/dev/null || true
    "$NEAC" --json verify "$out" --trust "$ltv_root" >"$tmp/after.json" 2>/dev/null || true
    python3 - "$tmp/before.json" "$tmp/after.json" "$name" <<'EOF' || fail "$name: $(cat "$tmp/after.json" | head -c 2000)"
import json, sys
before = json.load(open(sys.argv[1]))["files"][0]["signatures"]
after = json.load(open(sys.argv[2]))["files"][0]["signatures"]
name = sys.argv[3]
assert len(after) == len(before) + 1, f"{name}: {len(before)} signatures before, {len(after)} after"
for b, a in zip(before, after):
    for key in ("field", "intact", "valid", "byte_range_ok", "coverage"):
        if key == "coverage" and b[key] == "entire_file":
            continue  # the last signature now covers a revision, not the whole file
        assert b[key] == a[key], f"{name} {b['field']}: {key} was {b[key]}, is {a[key]}"
    # No earlier signature may fail because of what extend appended.
    assert not (b["indication"] != "FAILED" and a["indication"] == "FAILED"), \
        f"{name} {b['field']}: {b['indication']} became FAILED: {a['reason']}"
new = after[-1]
assert new["kind"] == "document_timestamp", f"{name}: the last signature is {new['kind']}"
assert new["intact"] and new["valid"] and new["indication"] == "PASSED", \
    f"{name}: document timestamp {new['indication']} {new['reason']}"
EOF
    if qpdf --check "$f" >/dev/null 2>&1; then
        qpdf --check "$out" >/dev/null 2>&1 || fail "qpdf --check fails on $name after extend"
    fi
    valid_before=$(pdfsig "$f" 2>/dev/null | grep -c "Signature is Valid." || true)
    valid_after=$(pdfsig "$out" 2>/dev/null | grep -c "Signature is Valid." || true)
    [ "$valid_after" -ge "$valid_before" ] ||
        fail "pdfsig: $name had $valid_before valid signatures, now $valid_after"
done
[ "$extended" -ge $((count * 3 / 4)) ] || fail "only $extended of $count files were extended"
echo "extended $extended of $count third-party signed files" >&2

pass
