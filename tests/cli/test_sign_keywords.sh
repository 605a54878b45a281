#!/usr/bin/env bash
# Several keywords in order of preference: forms whose signature line is worded differently are
# signed in one batch, with one approval; each file is placed by the first keyword it contains (or
# the fallback box), and text and JSON say which. The same list works from a profile and in locate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

sandbox_profile an
python3 "$make_pdf" "$tmp/don.pdf" --line "Nguoi lam don"
python3 "$make_pdf" "$tmp/to-khai.pdf" --line "Nguoi khai"
python3 "$make_pdf" "$tmp/both.pdf" --line "Nguoi khai      Nguoi lam don"
python3 "$make_pdf" "$tmp/none.pdf" --line "Xac nhan cua UBND xa"

step "one batch, one approval: each file says which keyword placed it"
expect_exit 0 "$NEAC" --json sign "$tmp/don.pdf" "$tmp/to-khai.pdf" "$tmp/both.pdf" \
    "$tmp/none.pdf" --profile an --out-dir "$tmp" --keyword "Nguoi lam don" \
    --keyword "Nguoi khai" --fallback-rect 36,36,180,60
json_check "$OUT" 'len(d["transactions"]) == 1'
json_check "$OUT" '[f["keyword"] for f in d["files"]] == ["Nguoi lam don", "Nguoi khai", "Nguoi lam don", None]'
json_check "$OUT" '[f["fallback"] for f in d["files"]] == [False, False, False, True]'
json_check "$OUT" 'd["files"][3]["box"] == [36, 36, 180, 60]'
for f in don to-khai both none; do
    assert_signed_ok "$tmp/$f.signed.pdf" 1
done

step "the text output names the keyword, or the fallback box"
expect_exit 0 "$NEAC" sign "$tmp/to-khai.pdf" "$tmp/none.pdf" --profile an --out-dir "$tmp" \
    --force --keyword "Nguoi lam don" --keyword "Nguoi khai" --fallback-rect 36,36,180,60
assert_contains "$(cat "$OUT")" 'page 1, by "Nguoi khai"' "sign text"
assert_contains "$(cat "$OUT")" "no keyword found: the fallback box" "sign text"

step "without a fallback, a file with none of the keywords is exit 4 naming them all"
expect_exit 4 "$NEAC" sign "$tmp/none.pdf" --profile an -o "$tmp/x.pdf" \
    --keyword "Nguoi lam don" --keyword "Nguoi khai"
assert_contains "$(cat "$ERR")" 'none of the keywords "Nguoi lam don", "Nguoi khai" was found'
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/x.pdf" --keyword "Nguoi khai" \
    --keyword " Nguoi khai "
assert_contains "$(cat "$ERR")" "given twice"

step "a profile lists keywords in order; --keyword replaces the list"
expect_exit 0 "$NEAC" profile add forms --display-name "NGUYỄN VĂN A" --phone 0912345678 \
    --account 001099012345 --provider sandbox --keyword "Nguoi khai" --keyword "Nguoi lam don"
assert_file_contains "$NEAC_HOME/profiles/forms.yaml" '    - "Nguoi khai"'
expect_exit 0 "$NEAC" --json profile show forms
json_check "$OUT" 'd["profile"]["locator"]["keywords"] == ["Nguoi khai", "Nguoi lam don"]'
expect_exit 0 "$NEAC" --json sign "$tmp/both.pdf" --profile forms -o "$tmp/both.forms.pdf"
json_check "$OUT" 'd["files"][0]["keyword"] == "Nguoi khai"'
expect_exit 0 "$NEAC" --json sign "$tmp/both.pdf" --profile forms -o "$tmp/both.flag.pdf" \
    --keyword "Nguoi lam don"
json_check "$OUT" 'd["files"][0]["keyword"] == "Nguoi lam don"'

step "locate takes the same list and says which keyword it found"
expect_exit 0 "$NEAC" --json locate "$tmp/to-khai.pdf" --keyword "Nguoi lam don" \
    --keyword "Nguoi khai"
json_check "$OUT" 'd["keyword"] == "Nguoi khai" and d["keywords"] == ["Nguoi lam don", "Nguoi khai"]'
expect_exit 0 "$NEAC" locate "$tmp/to-khai.pdf" --profile forms
assert_contains "$(cat "$OUT")" '"Nguoi khai" found 1 time' "locate text"
assert_contains "$(cat "$OUT")" 'keywords in order of preference: "Nguoi khai", "Nguoi lam don"'
pass
