#!/usr/bin/env bash
# neac profile add/list/show/remove/check, end to end on the real binary.
source "$(dirname "$0")/lib.sh"

profiles="$NEAC_HOME/profiles"
name_vi="NGUYỄN VĂN A"
keyword_vi="Người làm đơn"

step "add: a new profile with image, keyword and Vietnamese name"
make_png "$tmp/chu-ky.png" 120 40
expect_exit 0 "$NEAC" profile add an --display-name "$name_vi" --phone "+84 912 345 678" \
    --account 001099012345 --provider sandbox --approval-delay 1 --image "$tmp/chu-ky.png" \
    --keyword "$keyword_vi" --placement below --box 200x70 --occurrence last \
    --reason "Ký hồ sơ" --location "Điện Biên" --default
assert_contains "$(cat "$OUT")" "saved profile 'an'"
[ -f "$profiles/an.yaml" ] || fail "profile file not written"
[ -f "$profiles/an.png" ] || fail "image not copied into the profile folder"
cmp -s "$tmp/chu-ky.png" "$profiles/an.png" || fail "copied image differs from the original"
assert_eq "$(file_mode "$profiles/an.yaml")" 600 "mode of an.yaml"
assert_eq "$(file_mode "$profiles/an.png")" 600 "mode of an.png"
assert_eq "$(file_mode "$profiles")" 700 "mode of the profiles folder"
assert_file_contains "$profiles/an.yaml" "display-name: \"$name_vi\""
assert_file_contains "$profiles/an.yaml" 'image: "an.png"'

step "check: OK, also after the original image is gone"
rm "$tmp/chu-ky.png"
expect_exit 0 "$NEAC" profile check an
assert_contains "$(cat "$OUT")" "readable PNG 120x40"
assert_contains "$(cat "$OUT")" "profile an is OK"

step "list: aligned table with masked account, and --json"
expect_exit 0 "$NEAC" profile list
assert_contains "$(head -1 "$OUT")" "NAME"
assert_contains "$(head -1 "$OUT")" "PROVIDER(S)"
assert_contains "$(cat "$OUT")" "0010******45"
assert_not_contains "$(cat "$OUT")" "001099012345" "list (account must be masked)"
assert_contains "$(cat "$OUT")" "$name_vi"
expect_exit 0 "$NEAC" profile list --json
json_check "$OUT" 'd["version"] == 1 and len(d["profiles"]) == 1'
assert_eq "$(json_get "$OUT" 'd["profiles"][0]["name"]')" an
assert_eq "$(json_get "$OUT" 'd["profiles"][0]["display_name"]')" "$name_vi" "display name round trip"
assert_eq "$(json_get "$OUT" 'd["profiles"][0]["signatures"][0]["account_masked"]')" "0010******45"
expect_exit 0 "$NEAC" --json profile list
json_check "$OUT" 'd["profiles"][0]["phone"] == "+84912345678"'

step "show: every field, text and --json"
expect_exit 0 "$NEAC" profile show an
for text in "name:" "display name:" "$name_vi" "+84912345678" "\"$keyword_vi\"" "box 200x70 pt" \
    "Ký hồ sơ" "Điện Biên" "CCCD 001099012345" "provider sandbox (default)" "approval-delay:"; do
    assert_contains "$(cat "$OUT")" "$text" "show"
done
expect_exit 0 "$NEAC" profile show an --json
json_check "$OUT" 'd["version"] == 1'
assert_eq "$(json_get "$OUT" 'd["profile"]["display_name"]')" "$name_vi"
assert_eq "$(json_get "$OUT" 'd["profile"]["locator"]["keyword"]')" "$keyword_vi"
json_check "$OUT" 'd["profile"]["locator"]["width"] == 200 and d["profile"]["locator"]["height"] == 70'
json_check "$OUT" 'd["profile"]["image"].endswith("/profiles/an.png")'
json_check "$OUT" 'd["profile"]["signatures"][0]["settings"] == {"approval-delay": "1"}'

step "add --add-signature: a second provider, env var names only"
expect_exit 0 "$NEAC" profile add an --add-signature --account 001099012345 \
    --provider vnpt-smartca --sp-id-env NEAC_TEST_SP_ID --sp-password-env NEAC_TEST_SP_PASSWORD \
    --service-type SMARTCA --default
expect_exit 0 "$NEAC" profile show an --json
json_check "$OUT" 'len(d["profile"]["signatures"]) == 2'
json_check "$OUT" '[s["default"] for s in d["profile"]["signatures"]] == [False, True]'
json_check "$OUT" 'd["profile"]["signatures"][1]["endpoint"] == "https://gwsca.vnpt.vn/sca/sp769"'
assert_eq "$(json_get "$OUT" 'd["profile"]["display_name"]')" "$name_vi" "name kept by --add-signature"
unset NEAC_TEST_SP_ID NEAC_TEST_SP_PASSWORD
expect_exit 0 "$NEAC" profile check an
assert_contains "$(cat "$OUT")" "NEAC_TEST_SP_PASSWORD is not set"
NEAC_TEST_SP_ID=x NEAC_TEST_SP_PASSWORD=y expect_exit 0 "$NEAC" profile check an --json
json_check "$OUT" 'd["ok"] and d["warnings"] == 0 and d["errors"] == 0'
json_check "$OUT" 'all(c["status"] in ("ok", "warn", "fail") and c["id"] and c["message"] for c in d["checks"])'
assert_not_contains "$(cat "$OUT")" '"x"' "check --json (no env values)"
expect_exit 2 "$NEAC" profile add an --add-signature --account 001099012345 \
    --provider vnpt-smartca --sp-id-env A --sp-password-env B
assert_contains "$(cat "$ERR")" "already has"

step "add: existing profile needs --force"
expect_exit 2 "$NEAC" profile add an --display-name X --phone 0912345678 \
    --account 001099012345 --provider sandbox
assert_contains "$(cat "$ERR")" "--force"

step "bad flags are usage errors (exit 2)"
expect_exit 2 "$NEAC" profile add an --no-such-flag
expect_exit 2 "$NEAC" profile
expect_exit 2 "$NEAC" profile show
expect_exit 2 "$NEAC" profile add bob --display-name B --phone 0241234567 \
    --account 001099012345 --provider sandbox
assert_contains "$(cat "$ERR")" "--phone"
expect_exit 2 "$NEAC" profile add bob --display-name B --phone 0912345678 \
    --account 003099012345 --provider sandbox
assert_contains "$(cat "$ERR")" "province"
expect_exit 2 "$NEAC" profile add bob --display-name B --phone 0912345678 \
    --account 001099012345 --provider fpt-ca
expect_exit 2 "$NEAC" profile add bob --display-name B --phone 0912345678 \
    --account 001099012345 --provider sandbox --keyword K --placement sideways
expect_exit 2 "$NEAC" profile add bob --display-name B --phone 0912345678 \
    --account 001099012345 --provider vnpt-smartca
assert_contains "$(cat "$ERR")" "--sp-id-env, --sp-password-env"
expect_exit 2 "$NEAC" profile add "bad name" --display-name B --phone 0912345678 \
    --account 001099012345 --provider sandbox
expect_exit 2 "$NEAC" profile add bob --account 001099012345 </dev/null
assert_contains "$(cat "$ERR")" "missing --display-name, --phone, --provider"
expect_exit 2 "$NEAC" --json profile add bob --account 001099012345 </dev/null
json_check "$ERR" 'd["exit_code"] == 2 and d["code"] == "usage"'
[ ! -e "$profiles/bob.yaml" ] || fail "a refused profile was written"

step "a secret given to --sp-password-env is refused and not echoed"
secret='NGNhMzdmOGE-OGM2Mi00MTg0'
expect_exit 2 "$NEAC" profile add vn --display-name V --phone 0912345678 \
    --account 001099012345 --provider vnpt-smartca --sp-id-env VNPT_SP_ID \
    --sp-password-env "$secret"
assert_contains "$(cat "$ERR")" "looks like a secret value"
assert_not_contains "$(cat "$ERR")$(cat "$OUT")" "$secret" "output"
assert_not_contains "$(cat "$ERR")" "NGNh" "stderr"
[ ! -e "$profiles/vn.yaml" ] || fail "profile with a secret was written"
grep -rqF "$secret" "$NEAC_HOME" && fail "the secret was stored under NEAC_HOME"

step "an image that is not a PNG: exit 4 with the reason"
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' >"$tmp/photo.jpg"
expect_exit 4 "$NEAC" profile add jpg --display-name J --phone 0912345678 \
    --account 001099012345 --provider sandbox --image "$tmp/photo.jpg"
assert_contains "$(cat "$ERR")" "JPEG"
make_png "$tmp/cut.png" 50 50
head -c 40 "$tmp/cut.png" >"$tmp/truncated.png"
expect_exit 4 "$NEAC" profile add jpg --display-name J --phone 0912345678 \
    --account 001099012345 --provider sandbox --image "$tmp/truncated.png"
assert_contains "$(cat "$ERR")" "truncated"
[ ! -e "$profiles/jpg.yaml" ] || fail "profile written despite a bad image"

step "malformed profiles: exit 4 with file:line:column"
cat >"$tmp/bad.yaml" <<'EOF'
version: 1
name: bad
display-name: "Bad"
phone: "0912345678"
colour: red
signatures:
  - account: "001099012345"
    provider: sandbox
EOF
expect_exit 4 "$NEAC" profile check "$tmp/bad.yaml"
assert_contains "$(cat "$OUT")" "bad.yaml:5:1: unknown key 'colour'"
expect_exit 4 "$NEAC" profile show "$tmp/bad.yaml"
assert_contains "$(cat "$ERR")" "bad.yaml:5:1: unknown key 'colour'"
expect_exit 4 "$NEAC" --json profile show "$tmp/bad.yaml"
json_check "$ERR" 'd["exit_code"] == 4 and d["line"] == 5 and d["column"] == 1 and d["file"].endswith("bad.yaml")'
expect_exit 4 "$NEAC" profile check "$tmp/bad.yaml" --json
json_check "$OUT" 'd["ok"] is False and d["errors"] == 1'
json_check "$OUT" 'any(c["id"] == "yaml" and c["status"] == "fail" and ":5:1:" in c["message"] for c in d["checks"])'
printf 'name: bad\nsignatures:\n  - provider: csc\n' >"$tmp/missing.yaml"
expect_exit 4 "$NEAC" profile show "$tmp/missing.yaml"
for key in display-name phone "signatures[1].account" "signatures[1].endpoint" "signatures[1].token-env"; do
    assert_contains "$(cat "$ERR")" "$key" "one error listing every missing key"
done
printf 'name: bad\ndisplay-name: x: y\n' >"$tmp/syntax.yaml"
expect_exit 4 "$NEAC" profile check "$tmp/syntax.yaml"
assert_contains "$(cat "$OUT")" "syntax.yaml:2:"
printf 'name: lit\ndisplay-name: L\nphone: "0912345678"\nsignatures:\n  - account: "001099012345"\n    provider: misa-esign\n    username-env: MISA_USER\n    password: hunter2-secret\n' >"$tmp/literal.yaml"
expect_exit 4 "$NEAC" profile check "$tmp/literal.yaml"
assert_contains "$(cat "$OUT")" "secrets are never stored in profiles"
assert_not_contains "$(cat "$OUT")$(cat "$ERR")" "hunter2-secret"
# A broken file in the store: list still works and warns about it.
cp "$tmp/bad.yaml" "$profiles/bad.yaml"
expect_exit 0 "$NEAC" profile list --json
json_check "$OUT" '[p["name"] for p in d["profiles"]] == ["an"] and d["problems"][0]["line"] == 5'
assert_contains "$(cat "$ERR")" "bad.yaml:5:1"
rm "$profiles/bad.yaml"

step "atomic replace: a failed write leaves the old profile and no temporary file"
cp "$profiles/an.yaml" "$tmp/an.before"
cp "$profiles/an.png" "$tmp/an.png.before"
make_png "$tmp/new.png" 30 30
# A file size limit of 0 makes every write fail (EFBIG) even for root; SIGXFSZ is ignored so that
# neac sees the error instead of being killed. stderr goes through a pipe to `cat`, outside the
# limit, since writing it to a file would fail too.
set +e
bash -c 'ulimit -f 0; trap "" XFSZ; exec "$@"' _ "$NEAC" profile add an --force \
    --display-name CHANGED --phone 0912345678 --account 001099012345 --provider sandbox \
    --image "$tmp/new.png" 2>&1 >/dev/null | cat >"$tmp/write-failure.err"
write_status=${PIPESTATUS[0]}
set -e
assert_eq "$write_status" 4 "exit status of the failed write"
assert_contains "$(cat "$tmp/write-failure.err")" "cannot write"
cmp -s "$tmp/an.before" "$profiles/an.yaml" || fail "an.yaml changed after a failed write"
cmp -s "$tmp/an.png.before" "$profiles/an.png" || fail "an.png changed after a failed write"
leftover=$(find "$profiles" -mindepth 1 ! -name an.yaml ! -name an.png)
[ -z "$leftover" ] || fail "temporary files left behind: $leftover"
expect_exit 0 "$NEAC" profile check an

step "--force replaces; a profile without image drops the old copy"
expect_exit 0 "$NEAC" profile add an --force --display-name "Trần Thị Bích Ngọc" \
    --phone 0987654321 --account 162952530 --provider sandbox
[ ! -e "$profiles/an.png" ] || fail "stale image copy kept"
expect_exit 0 "$NEAC" profile show an --json
assert_eq "$(json_get "$OUT" 'd["profile"]["display_name"]')" "Trần Thị Bích Ngọc"
json_check "$OUT" 'd["profile"]["image"] is None and d["profile"]["signatures"][0]["account_kind"] == "CMND"'

step "prompts on a terminal for missing values"
if command -v script >/dev/null; then
    printf 'Lê Văn Tèo\n0901234567\n001099012345\nsandbox\n' |
        script -qec "$(printf '%q ' "$NEAC" profile add teo)" /dev/null >"$tmp/tty.out" 2>&1 ||
        fail "prompted add failed: $(cat "$tmp/tty.out")"
    expect_exit 0 "$NEAC" profile show teo --json
    assert_eq "$(json_get "$OUT" 'd["profile"]["display_name"]')" "Lê Văn Tèo" "prompted UTF-8 name"
    assert_eq "$(json_get "$OUT" 'd["profile"]["phone"]')" "+84901234567"
else
    step "(skipped: no 'script' command for a pseudo-terminal)"
fi

step "remove: deletes yaml and image; unknown name is exit 4"
make_png "$tmp/r.png"
expect_exit 0 "$NEAC" profile add gone --display-name G --phone 0912345678 \
    --account 001099012345 --provider sandbox --image "$tmp/r.png"
[ -f "$profiles/gone.png" ] || fail "image not copied"
expect_exit 0 "$NEAC" profile remove gone --json
json_check "$OUT" 'd == {"version": 1, "removed": "gone"}'
[ ! -e "$profiles/gone.yaml" ] && [ ! -e "$profiles/gone.png" ] || fail "remove left files"
expect_exit 4 "$NEAC" profile remove gone
assert_contains "$(cat "$ERR")" "no profile named 'gone'"
expect_exit 4 "$NEAC" profile show gone
expect_exit 4 "$NEAC" profile check gone

step "--home overrides NEAC_HOME"
expect_exit 0 "$NEAC" --home "$tmp/other" profile list --json
json_check "$OUT" 'd["profiles"] == []'

pass
