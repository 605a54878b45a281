#!/usr/bin/env bash
# Hostile input ends in a clear error and the right exit code, never a crash or a hang: a page
# tree 30,000 levels deep for locate, sign and history; YAML anchors and aliases in a profile and
# a dossier manifest; FIFOs where files are expected; a file name that is not UTF-8 under --json;
# a Bearer token refused over plain http to another machine; Ctrl-C while a batch is prepared
# sends nothing to the phone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

tamper="$NEAC_SOURCE_DIR/tests/support/tamper.py"
sandbox_profile an

step "a page tree 30,000 levels deep: exit 4 with the reason, from every command that reads pages"
python3 "$tamper" deep-page-tree - "$tmp/deep.pdf"
expect_exit 4 timeout 20 "$NEAC" locate "$tmp/deep.pdf" --keyword "Nguoi lam don"
expect_exit 4 timeout 20 "$NEAC" sign "$tmp/deep.pdf" --profile an --keyword "Nguoi lam don"
assert_contains "$(cat "$ERR")" "more than 256 levels deep"
expect_exit 4 timeout 20 "$NEAC" sign "$tmp/deep.pdf" --profile an --rect 10,10,100,40
assert_contains "$(cat "$ERR")" "more than 256 levels deep"
run timeout 20 "$NEAC" history "$tmp/deep.pdf"
[ "$status" -lt 128 ] || fail "history died with signal $((status - 128))"

step "decompression bombs: exit 4 with the reason, before poppler or QPDF inflate them"
python3 "$tamper" content-bomb - "$tmp/content-bomb.pdf"
python3 "$tamper" deflate-bomb - "$tmp/objstm-bomb.pdf"
for f in content-bomb objstm-bomb; do
    start=$(date +%s%N)
    expect_exit 4 timeout 60 "$NEAC" locate "$tmp/$f.pdf" --keyword "Nguoi lam don"
    assert_contains "$(cat "$ERR")" "MiB" "$f: locate names the limit"
    expect_exit 4 timeout 60 "$NEAC" sign "$tmp/$f.pdf" --profile an --keyword "Nguoi lam don" \
        -o "$tmp/$f.signed.pdf"
    assert_contains "$(cat "$ERR")" "MiB" "$f: sign names the limit"
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$ms" -lt 20000 ] || fail "$f took $ms ms to refuse"
done
expect_exit 4 timeout 60 "$NEAC" sign "$tmp/objstm-bomb.pdf" --profile an --rect 10,10,100,40 \
    -o "$tmp/objstm-bomb.signed.pdf"
assert_contains "$(cat "$ERR")" "MiB"

step "YAML anchors and aliases are refused before anything is expanded"
bomb='a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]'
mkdir -p "$tmp/dossier"
printf '%s\n' "$bomb" >"$tmp/dossier/dossier.yaml"
expect_exit 4 timeout 20 "$NEAC" submit "$tmp/dossier/dossier.yaml" --dry-run
assert_contains "$(cat "$ERR")" "YAML anchors (&name) are not accepted"
assert_contains "$(cat "$ERR")" "dossier.yaml:1:"
printf '%s\n' "$bomb" >"$tmp/bomb-profile.yaml"
expect_exit 4 timeout 20 "$NEAC" sign "$tmp/deep.pdf" --profile "$tmp/bomb-profile.yaml"
assert_contains "$(cat "$ERR")" "YAML anchors (&name) are not accepted"
printf 'name: a\ndisplay-name: *x\n' >"$tmp/alias-profile.yaml"
expect_exit 4 "$NEAC" profile check "$tmp/alias-profile.yaml"
assert_contains "$(cat "$OUT" "$ERR")" "anchor"

step "a FIFO where a file is expected: refused at once, never waited on"
mkfifo "$tmp/fifo.pdf" "$tmp/fifo.pem" "$tmp/fifo.jsonl"
expect_exit 4 timeout 10 "$NEAC" verify "$tmp/fifo.pdf"
expect_exit 4 timeout 10 "$NEAC" locate "$tmp/fifo.pdf" --keyword x
expect_exit 4 timeout 10 "$NEAC" sign "$tmp/fifo.pdf" --profile an --rect 10,10,100,40 \
    -o "$tmp/fifo.out.pdf"
python3 "$make_pdf" "$tmp/plain.pdf"
expect_exit 0 "$NEAC" sign "$tmp/plain.pdf" --profile an --rect 10,10,100,40
run timeout 10 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$tmp/fifo.pem"
[ "$status" -ne 124 ] || fail "verify waited on a FIFO given as --trust"
assert_contains "$(cat "$OUT" "$ERR")" "not a regular file"
expect_exit 2 timeout 10 "$NEAC" sign --from "$tmp/fifo.jsonl" --profile an
assert_contains "$(cat "$ERR")" "is not a readable file"

step "--expect-signer: patterns are RE2, bounded in length, matched in linear time"
root="$NEAC_HOME/sandbox/root-ca.pem"
expect_exit 2 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$root" \
    --expect-signer "$(python3 -c 'print("(" * 50000)')"
assert_contains "$(cat "$ERR")" "longer than 1000 characters"
expect_exit 2 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$root" --expect-signer "NGUY(("
assert_contains "$(cat "$ERR")" "not a valid regular expression"
expect_exit 0 timeout 10 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$root" \
    --expect-signer '(a*)*$|nguyễn.*văn a'
expect_exit 1 timeout 10 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$root" \
    --expect-signer '^CN=TRẦN'

step "a file name that is not UTF-8: --json still writes one JSON document"
name=$(printf 'h\xf4-s\xe1.pdf')
cp "$tmp/plain.signed.pdf" "$tmp/$name"
run "$NEAC" --json verify "$tmp/$name" --trust "$NEAC_HOME/sandbox/root-ca.pem"
[ "$status" = 0 ] || fail "verify of a file with a non-UTF-8 name: exit $status: $(cat "$ERR")"
json_check "$OUT" 'd["files"][0]["file"].endswith(".pdf") and "\ufffd" in d["files"][0]["file"]'
expect_exit 0 "$NEAC" verify "$tmp/$name" --trust "$NEAC_HOME/sandbox/root-ca.pem" \
    --junit "$tmp/junit.xml"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/junit.xml" ||
    fail "the JUnit report is not well-formed XML"

step "outputs go only over regular files: devices streamed, links and folders refused"
expect_exit 0 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$NEAC_HOME/sandbox/root-ca.pem" \
    --junit /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
ln -s "$tmp/elsewhere.xml" "$tmp/link.xml"
expect_exit 4 "$NEAC" verify "$tmp/plain.signed.pdf" --trust "$NEAC_HOME/sandbox/root-ca.pem" \
    --junit "$tmp/link.xml"
assert_contains "$(cat "$ERR")" "symbolic link"
[ ! -e "$tmp/elsewhere.xml" ] || fail "the JUnit report was written through a link"
expect_exit 2 "$NEAC" sign "$tmp/plain.pdf" --profile an --rect 10,10,100,40 -o /dev/null --force
assert_contains "$(cat "$ERR")" "is a device or a FIFO"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
cp "$tmp/plain.pdf" "$tmp/real.pdf"
ln -s "$tmp/real.pdf" "$tmp/alias.pdf"
expect_exit 0 "$NEAC" sign "$tmp/alias.pdf" --profile an --rect 10,10,100,40 --in-place
[ -L "$tmp/alias.pdf" ] || fail "--in-place replaced the link instead of the file"
assert_eq "$(python3 "$sigtool" count "$tmp/real.pdf")" 1 "signatures in the file the link names"

step "two runs to one output: the second to finish keeps the first's file and says so"
NEAC_SANDBOX_DELAY=3 "$NEAC" sign "$tmp/plain.pdf" --profile an --rect 10,10,100,40 \
    -o "$tmp/race.pdf" >"$tmp/race.out" 2>"$tmp/race.err" &
slow=$!
sleep 1
expect_exit 0 "$NEAC" sign "$tmp/plain.pdf" --profile an --rect 10,10,100,40 -o "$tmp/race.pdf"
first=$(sha256sum <"$tmp/race.pdf")
status=0
wait "$slow" || status=$?
assert_eq "$status" 4 "exit of the run that finished second"
assert_contains "$(cat "$tmp/race.err")" "appeared while this run was working"
assert_eq "$(sha256sum <"$tmp/race.pdf")" "$first" "the output of the run that finished first"

step "failing profile check and history under --json: a JSON error on stderr too"
expect_exit 4 "$NEAC" --json profile check "$tmp/alias-profile.yaml"
json_check "$OUT" 'd["ok"] is False'
json_check "$ERR" 'd["code"] == "bad_input" and d["exit_code"] == 4'
expect_exit 4 "$NEAC" --json history "$tmp/missing.pdf"
json_check "$ERR" 'd["code"] == "bad_input" and "could not be read" in d["message"]'

step "a portal token never travels over plain http to another machine"
echo "secret-token-value" >"$tmp/token"
chmod 600 "$tmp/token"
expect_exit 2 "$NEAC" history --dossier H01.00-2026-000001 --portal http://portal.example.vn/api \
    --token-file "$tmp/token"
assert_contains "$(cat "$ERR")" "http://"
assert_not_contains "$(cat "$ERR")" "secret-token-value"

step "Ctrl-C while a batch is prepared: nothing is sent, no file is left"
# 500 files take seconds to prepare (keyword placement reads each): the signal lands meanwhile.
mkdir -p "$tmp/big" "$tmp/big-out"
python3 - "$make_pdf" "$tmp/big" <<'PY' || fail "make_pdf.py failed"
import importlib.util, sys
script, folder = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("make_pdf", script)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for i in range(1, 501):
    sys.argv = [script, f"{folder}/f{i}.pdf"]
    mod.main()
PY
before=$(ls "$NEAC_HOME"/sandbox/transactions | wc -l)
NEAC_SANDBOX_DELAY=60 "$NEAC" sign "$tmp/big" --profile an --keyword "Nguoi lam don" \
    --out-dir "$tmp/big-out" >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
sleep 1
kill -INT "$pid"
status=0
wait "$pid" || status=$?
assert_eq "$status" 130 "exit after Ctrl-C during prepare"
assert_contains "$(cat "$tmp/int.err")" "before the request was sent"
assert_eq "$(ls -A "$tmp/big-out" | wc -l)" 0 "files left in the output folder"
assert_eq "$(ls "$NEAC_HOME"/sandbox/transactions | wc -l)" "$before" \
    "requests that reached the phone"
pass
