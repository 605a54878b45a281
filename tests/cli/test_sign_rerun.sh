#!/usr/bin/env bash
# Batches a script can run again: a batch that ended with exit 7 is re-run with --skip-existing and
# only the missing file costs an approval (the simulator counts the requests); outputs that are not
# the input signed by this signer are still refused; --dry-run sends and writes nothing; --from
# takes per-file placements from JSON Lines; folders, --out-dir and mistyped commands behave.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

out="$tmp/out"
start_sim --auto approve
add_remote_profile p vnpt-smartca
make_inputs 6
printf 'not a PDF at all\n' >"$tmp/in/in-4.pdf"

step "a batch with one bad file: exit 7, one request"
expect_exit 7 "$NEAC" sign $(inputs) --profile p --out-dir "$out"
assert_eq "$(sim_stat 'd["sign_requests"]')" 1 "sign requests"
assert_eq "$(ls "$out"/*.signed.pdf | wc -l)" 5 "outputs"

step "the same command again is refused, naming the output, and suggests --skip-existing"
python3 "$NEAC_SOURCE_DIR/tests/support/make_pdf.py" "$tmp/in/in-4.pdf"
(cd "$tmp/in" && sha256sum in-*.pdf >"$tmp/sums")
expect_exit 2 "$NEAC" sign $(inputs) --profile p --out-dir "$out"
assert_contains "$(cat "$ERR")" "in-1.signed.pdf exists"
assert_contains "$(cat "$ERR")" "--skip-existing"

step "--skip-existing signs only the missing file, with one more approval"
expect_exit 0 "$NEAC" --json sign $(inputs) --profile p --out-dir "$out" --skip-existing
json_check "$OUT" '[f["status"] for f in d["files"]] == ["skipped"] * 3 + ["signed"] + ["skipped"] * 2'
json_check "$OUT" 'd["signed"] == 1 and d["skipped"] == 5 and d["failed"] == 0'
assert_eq "$(sim_stat 'd["sign_requests"]')" 2 "sign requests after the re-run"
assert_eq "$(sim_stat 'd["transactions"][-1]["documents"]')" 1 "documents in the second request"
assert_eq "$(count_signed_valid "$out")" 6 "outputs valid in pdfsig"
assert_inputs_untouched

step "everything signed: a third run costs nothing"
expect_exit 0 "$NEAC" sign $(inputs) --profile p --out-dir "$out" --skip-existing
assert_contains "$(cat "$OUT")" "signed already"
assert_eq "$(sim_stat 'd["sign_requests"]')" 2 "sign requests"

step "an output that is another file, or another signer's, is still refused"
cp "$out/in-1.signed.pdf" "$tmp/keep.pdf"
cp "$out/in-2.signed.pdf" "$out/in-1.signed.pdf"
expect_exit 2 "$NEAC" sign $(inputs) --profile p --out-dir "$out" --skip-existing
assert_contains "$(cat "$ERR")" "in-1.signed.pdf exists and is not"
assert_contains "$(cat "$ERR")" "does not begin with the input's bytes"
expect_exit 0 "$NEAC" --json sign $(inputs) --profile p --out-dir "$out" --skip-existing --force
json_check "$OUT" '[f["status"] for f in d["files"]] == ["signed"] + ["skipped"] * 5'
assert_eq "$(sim_stat 'd["sign_requests"]')" 3 "sign requests"
expect_exit 0 "$NEAC" profile add other --display-name "TRẦN THỊ B" --phone 0912345678 \
    --account 079188004321 --provider pkcs12 --pkcs12 "$PKI/signer-other.p12" \
    --password-env P12_PASSWORD
P12_PASSWORD=test123 expect_exit 0 "$NEAC" sign "$tmp/in/in-2.pdf" --profile other \
    -o "$out/in-2.signed.pdf" --force
expect_exit 2 "$NEAC" sign $(inputs) --profile p --out-dir "$out" --skip-existing
assert_contains "$(cat "$ERR")" "in-2.signed.pdf exists and is not"
assert_contains "$(cat "$ERR")" "signed by CCCD/CMND 079188004321, not by the profile's account"

step "--dry-run: placement and outputs, no request, no file, no folder"
mkdir -p "$tmp/dry"
expect_exit 0 "$NEAC" --json sign "$tmp/in" --profile p --out-dir "$tmp/dry/new" --dry-run \
    --keyword "Nguoi lam don"
json_check "$OUT" 'd["dry_run"] and d["ready"] == 6 and d["signed"] == 0'
json_check "$OUT" 'all(f["status"] == "planned" and f["keyword"] == "Nguoi lam don" and f["page"] == 1 for f in d["files"])'
json_check "$OUT" 'd["files"][0]["output"].endswith("dry/new/in-1.signed.pdf")'
json_check "$OUT" 'd["signer"]["identity"]["number"] == "001099012345"'
[ ! -e "$tmp/dry/new" ] || fail "the dry run made the output folder"
[ -z "$(ls -A "$tmp/dry")" ] || fail "the dry run wrote files: $(ls -A "$tmp/dry")"
assert_eq "$(sim_stat 'd["sign_requests"]')" 3 "sign requests after the dry run"
printf 'broken\n' >"$tmp/bad.pdf"
expect_exit 7 "$NEAC" sign "$tmp/in/in-1.pdf" "$tmp/bad.pdf" --profile p --out-dir "$tmp/dry" \
    --dry-run
assert_contains "$(cat "$OUT")" "would sign"
expect_exit 4 "$NEAC" sign "$tmp/bad.pdf" --profile p -o "$tmp/dry/x.pdf" --dry-run
assert_contains "$(cat "$ERR")" "not a PDF"
[ -z "$(ls -A "$tmp/dry")" ] || fail "the dry run wrote files: $(ls -A "$tmp/dry")"

step "--from: per-file placements in one request, results in the same order"
python3 "$NEAC_SOURCE_DIR/tests/support/make_pdf.py" "$tmp/khai.pdf" --line "Nguoi khai"
cat >"$tmp/batch.jsonl" <<EOF
{"input": "$tmp/in/in-1.pdf", "output": "$tmp/m/first.pdf", "keyword": "Nguoi lam don"}

{"input": "$tmp/khai.pdf", "output": "$tmp/m/khai.pdf", "keyword": ["Nguoi lam don", "Nguoi khai"], "reason": "Xác nhận"}
{"input": "$tmp/in/in-3.pdf", "output": "$tmp/m/third.pdf", "rect": [300, 100, 160, 50], "page": 1}
EOF
mkdir -p "$tmp/m"
expect_exit 0 "$NEAC" --json sign --from "$tmp/batch.jsonl" --profile p
json_check "$OUT" '[f["output"].split("/")[-1] for f in d["files"]] == ["first.pdf", "khai.pdf", "third.pdf"]'
json_check "$OUT" '[f["keyword"] for f in d["files"]] == ["Nguoi lam don", "Nguoi khai", None]'
json_check "$OUT" 'd["files"][2]["box"] == [300, 100, 160, 50]'
json_check "$OUT" 'd["files"][1]["request"]["reason"] == "Xác nhận"'
assert_eq "$(sim_stat 'd["sign_requests"]')" 4 "one request for the manifest"
expect_exit 0 "$NEAC" --json verify "$tmp/m/khai.pdf" --trust "$PKI/root-ca.pem"
json_check "$OUT" 'd["files"][0]["signatures"][0]["pdf_reason"] == "Xác nhận"'
echo '{"input": "'"$tmp"'/in/in-5.pdf", "colour": "red"}' >"$tmp/bad.jsonl"
expect_exit 2 "$NEAC" sign --from - --profile p <"$tmp/bad.jsonl"
assert_contains "$(cat "$ERR")" 'line 1: unknown key "colour"'
expect_exit 2 "$NEAC" sign "$tmp/in/in-5.pdf" --from "$tmp/batch.jsonl" --profile p
assert_contains "$(cat "$ERR")" "either as arguments or in --from"

step "a folder expands to its PDF files, leaving earlier outputs out; --out-dir is made"
mkdir -p "$tmp/hoso/sub"
cp "$tmp/in/in-1.pdf" "$tmp/hoso/don.pdf"
cp "$tmp/in/in-2.pdf" "$tmp/hoso/sub/to-khai.pdf"
cp "$out/in-3.signed.pdf" "$tmp/hoso/cu.signed.pdf"
expect_exit 0 "$NEAC" --json sign "$tmp/hoso" --profile p --out-dir "$tmp/ky"
json_check "$OUT" '[f["input"].split("/")[-1] for f in d["files"]] == ["don.pdf", "to-khai.pdf"]'
[ -f "$tmp/ky/don.signed.pdf" ] || fail "--out-dir was not made"

step "help and mistyped commands"
expect_exit 0 "$NEAC" help
assert_contains "$(cat "$OUT")" "Usage: neac [OPTIONS] SUBCOMMAND"
assert_contains "$(cat "$OUT")" "verify"
expect_exit 2 "$NEAC" sgin "$tmp/in/in-1.pdf"
assert_contains "$(cat "$ERR")" "unknown command 'sgin'; did you mean 'sign'?"
expect_exit 2 "$NEAC" --json frobnicate
json_check "$ERR" 'd["message"] == "unknown command '"'frobnicate'"'"'
pass
