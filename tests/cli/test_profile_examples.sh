#!/usr/bin/env bash
# The example profiles in profiles/ pass `neac profile check`: structurally valid, with at most
# warnings about environment variables that are not set here.
source "$(dirname "$0")/lib.sh"

examples="$NEAC_SOURCE_DIR/profiles"
expected="csc misa-esign pkcs12 sandbox viettel-mysign vnpt-smartca"
found=$(cd "$examples" && ls -1 *.yaml | sed 's/\.yaml$//' | sort | tr '\n' ' ')
assert_eq "${found% }" "$expected" "example profiles"

# Only warnings about unset environment variables are acceptable.
check_example() {
    local file=$1
    expect_exit 0 "$NEAC" profile check "$file" --json
    json_check "$OUT" 'd["ok"] and d["errors"] == 0' "check of $(basename "$file")"
    json_check "$OUT" 'all(c["status"] == "ok" or (c["status"] == "warn" and c["id"].endswith(".env")) for c in d["checks"])' \
        "only env-var warnings in $(basename "$file")"
    expect_exit 0 "$NEAC" profile check "$file"
    assert_contains "$(cat "$OUT")" "is OK"
}

for name in csc misa-esign sandbox viettel-mysign vnpt-smartca; do
    step "check profiles/$name.yaml"
    check_example "$examples/$name.yaml"
done

step "profiles/pkcs12.yaml names a key file that is not shipped"
expect_exit 4 "$NEAC" profile check "$examples/pkcs12.yaml"
assert_contains "$(cat "$OUT")" "demo.p12 does not exist"

step "profiles/pkcs12.yaml beside a generated demo.p12"
mkdir -p "$tmp/ex"
cp "$examples/pkcs12.yaml" "$tmp/ex/"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ex/key.pem" -out "$tmp/ex/cert.pem" \
    -days 2 -subj "/CN=CONG TY TNHH VI DU/UID=CCCD:079203001234" 2>/dev/null ||
    fail "openssl req failed"
openssl pkcs12 -export -inkey "$tmp/ex/key.pem" -in "$tmp/ex/cert.pem" -out "$tmp/ex/demo.p12" \
    -passout pass:demo ||
    fail "openssl pkcs12 failed"
export NEAC_PKCS12_PASSWORD=demo
check_example "$tmp/ex/pkcs12.yaml"
expect_exit 0 "$NEAC" profile check "$tmp/ex/pkcs12.yaml" --json
json_check "$OUT" 'any(c["id"] == "signatures[1].files" and c["status"] == "ok" for c in d["checks"])'

step "show reads the examples by path"
for name in sandbox vnpt-smartca; do
    expect_exit 0 "$NEAC" profile show "$examples/$name.yaml" --json
    json_check "$OUT" "d['profile']['name'] == '$name'"
done

pass
