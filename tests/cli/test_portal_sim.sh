#!/usr/bin/env bash
# The portal simulator (tests/sim/portal_sim) against the wire contract, with curl, and the
# OpenAPI document (docs/portal-api.yaml) for structure: the ground the tests of `neac submit`
# and `neac history --dossier` stand on. A simulator that misbehaves fails here.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/portal_lib.sh"

# --- the OpenAPI document --------------------------------------------------------------------
step "docs/portal-api.yaml parses and is complete"
python3 - "$NEAC_SOURCE_DIR/docs/portal-api.yaml" <<'PY' || fail "docs/portal-api.yaml"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
errors = []
assert doc["openapi"] == "3.0.3", "openapi must be 3.0.3"

def resolve(ref):
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True

def walk(node, where):
    if isinstance(node, dict):
        if "$ref" in node and not resolve(node["$ref"]):
            errors.append(f"{where}: $ref {node['$ref']} does not resolve")
        for k, v in node.items():
            walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, f"{where}[{i}]")
walk(doc, "")

want_paths = {
    "/info": {"get"}, "/dossiers": {"post"},
    "/dossiers/{dossier_id}/components/{code}/upload": {"get", "patch"},
    "/dossiers/{dossier_id}/submit": {"post"}, "/dossiers/{id_or_code}": {"get"},
    "/dossiers/{id_or_code}/history": {"get"},
    "/_sim/stats": {"get"}, "/_sim/fault": {"post"},
}
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
for path, ops in want_paths.items():
    item = doc["paths"].get(path)
    if item is None:
        errors.append(f"path {path} is missing")
        continue
    missing = ops - set(item)
    if missing:
        errors.append(f"{path}: no {missing}")
for path, item in doc["paths"].items():
    for m, op in item.items():
        if m not in methods:
            continue
        if not op.get("responses"):
            errors.append(f"{m.upper()} {path} has no responses")
        if not path.startswith("/_sim") and "401" not in op["responses"]:
            errors.append(f"{m.upper()} {path} does not document 401")
        if not path.startswith("/_sim") and op.get("security") == []:
            errors.append(f"{m.upper()} {path} must not drop the bearer token")

statuses = lambda p, m: set(doc["paths"][p][m]["responses"])
up = "/dossiers/{dossier_id}/components/{code}/upload"
for p, m, codes in [("/dossiers", "post", {"200", "201", "400", "409", "422"}),
                    (up, "patch", {"200", "400", "404", "409", "422"}),
                    (up, "get", {"200", "404"}),
                    ("/dossiers/{dossier_id}/submit", "post", {"200", "409", "422"}),
                    ("/dossiers/{id_or_code}/history", "get", {"200", "404"})]:
    if not codes <= statuses(p, m):
        errors.append(f"{m.upper()} {p}: missing statuses {codes - statuses(p, m)}")

schemas = doc["components"]["schemas"]
for s in ["Info", "DossierRequest", "Applicant", "ComponentDeclaration", "Dossier",
          "UploadState", "Receipt", "History", "ComponentHistory", "Signature", "Error"]:
    if s not in schemas:
        errors.append(f"schema {s} is missing")
sec = doc["components"]["securitySchemes"]["bearerAuth"]
if (sec.get("type"), sec.get("scheme")) != ("http", "bearer"):
    errors.append("bearerAuth must be an http bearer scheme")
if doc.get("security") != [{"bearerAuth": []}]:
    errors.append("the bearer token must be required globally")
headers = {p["name"] for p in doc["components"]["parameters"].values() if p["in"] == "header"}
if not {"Idempotency-Key", "Upload-Offset"} <= headers:
    errors.append(f"header parameters: {headers}")
for word in ["Idempotency-Key", "received_bytes", "Upload-Offset", "mã hồ sơ", "mã thủ tục",
             "biên nhận"]:
    if word not in doc["info"]["description"]:
        errors.append(f"the description does not explain {word}")
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
# The full validator only when this machine has it (it is not a Debian package).
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
    python3 -m openapi_spec_validator "$NEAC_SOURCE_DIR/docs/portal-api.yaml" >/dev/null ||
        fail "openapi_spec_validator rejects docs/portal-api.yaml"
fi

# --- fixtures: a PDF signed by the sandbox, unsigned PDFs --------------------------------------
step "fixtures"
sandbox_profile an
python3 "$make_pdf" "$tmp/form.pdf" --pages 2 || fail "make_pdf.py"
expect_exit 0 "$NEAC" sign "$tmp/form.pdf" --profile an -o "$tmp/signed.pdf"
python3 "$make_pdf" "$tmp/plain.pdf" || fail "make_pdf.py"
python3 "$make_pdf" "$tmp/plain2.pdf" --pages 3 || fail "make_pdf.py"
root="$NEAC_HOME/sandbox/root-ca.pem"
[ -f "$root" ] || fail "the sandbox root certificate is not at $root"
signer_pem="$NEAC_HOME/sandbox/signers/001099012345.pem"
[ -f "$signer_pem" ] || fail "the sandbox signer certificate is not at $signer_pem"

size_of() { stat -c %s "$1"; }
# json_check with an expression that may span lines.
jcheck() { json_check "$1" "($2)" "${3:-JSON check}"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
SIZE=$(size_of "$tmp/signed.pdf")
HALF=$(((SIZE + 1) / 2))
CHUNK=$((HALF + 64))
[ "$SIZE" -gt "$CHUNK" ] || fail "the signed PDF is too small for this test ($SIZE bytes)"
# The first chunk, and the rest.
head -c "$HALF" "$tmp/signed.pdf" >"$tmp/part1"
tail -c +$((HALF + 1)) "$tmp/signed.pdf" >"$tmp/part2"

# dossier_json OUT PROCEDURE [CODE FILE SIGNATURE_REQUIRED EXPECTED_SIGNER [SHA256]]...
dossier_json() {
    python3 - "$@" <<'PY' || fail "cannot write the request"
import hashlib, json, os, sys
out, procedure, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
comps = []
while rest:
    code, path, req, signer = rest[:4]
    rest = rest[4:]
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    if rest and len(rest[0]) == 64:
        sha, rest = rest[0], rest[1:]
    comps.append({"code": code, "title": f"Thành phần {code}", "file_name": os.path.basename(path),
                  "size": os.path.getsize(path), "sha256": sha, "media_type": "application/pdf",
                  "signature_required": req == "1", "expected_signer": signer})
doc = {"procedure_code": procedure,
       "applicant": {"name": "NGUYỄN VĂN A", "id_kind": "CCCD", "id_number": "001099012345",
                     "phone": "+84912345678", "address": "Phường Mường Thanh, TP. Điện Biên Phủ"},
       "form": {"ho_ten_nguoi_duoc_khai_sinh": "NGUYỄN VĂN B", "ngay_sinh": "2026-11-20"},
       "components": comps}
json.dump(doc, open(out, "w", encoding="utf-8"), ensure_ascii=False)
PY
}
key_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
create() { # CODE KEY FILE
    portal_expect "$1" POST /dossiers -H "Idempotency-Key: $2" -H 'Content-Type: application/json' \
        --data-binary "@$3"
}
patch() { # CODE DOSSIER COMPONENT OFFSET FILE
    portal_expect "$1" PATCH "/dossiers/$2/components/$3/upload" -H "Upload-Offset: $4" \
        -H 'Content-Type: application/offset+octet-stream' --data-binary "@$5"
}
stored_size() { size_of "$PORTAL_STORE/$1/$2.bin"; }

SIM_OPTS=(--trust "$root" --chunk-bytes "$CHUNK" --max-bytes 1000000)
start_portal "${SIM_OPTS[@]}"
PORT=$PORTAL_PORT_USED

# --- info, tokens ------------------------------------------------------------------------------
step "info and the bearer token"
portal_get /info >/dev/null
jcheck "$PBODY" 'd["api_version"] == 1 and d["chunk_bytes"] == '"$CHUNK"' and
    d["max_component_bytes"] == 1000000 and d["accepted_types"] == ["pdf", "doc", "docx"] and
    "(simulator)" in d["name"]' "info"
PORTAL_REQ_TOKEN="" portal_expect 401 GET /info
jcheck "$PBODY" 'd["error"] == "unauthorized" and d["message"]' "401 body"
PORTAL_REQ_TOKEN=wrong-token portal_expect 401 GET /info
PORTAL_REQ_TOKEN="${NEAC_PORTAL_TOKEN}x" portal_expect 401 POST /dossiers --data-binary '{}'
PORTAL_REQ_TOKEN=wrong-token portal_expect 401 GET /dossiers/anything/history
PORTAL_REQ_TOKEN="" portal_expect 401 GET /info \
    -H "Authorization: Basic $(printf 'u:%s' "$NEAC_PORTAL_TOKEN" | base64)"
assert_eq "$(portal_stat 'd["requests"]["info"]')" 4 "info requests counted"

# --- create: idempotency and validation --------------------------------------------------------
step "create, idempotently"
dossier_json "$tmp/a.json" 1.001193 TP1 "$tmp/signed.pdf" 1 001099012345 \
    TP2 "$tmp/plain.pdf" 0 ""
KEY_A=$(key_of dossier-a)
portal_expect 400 POST /dossiers --data-binary "@$tmp/a.json"
jcheck "$PBODY" 'd["error"] == "missing_idempotency_key"'
create 400 "${KEY_A^^}" "$tmp/a.json"
jcheck "$PBODY" 'd["error"] == "invalid_idempotency_key"'
create 400 "${KEY_A:0:63}" "$tmp/a.json"
printf '{"procedure_code": "1.001193", "applicant": {' >"$tmp/truncated.json"
create 400 "$KEY_A" "$tmp/truncated.json"
jcheck "$PBODY" 'd["error"] == "invalid_json"'
printf '{"procedure_code": "\xff\xfe"}' >"$tmp/latin1.json"
create 400 "$KEY_A" "$tmp/latin1.json"
assert_eq "$(portal_stat 'd["dossiers"]')" 0 "dossiers after refused requests"

create 201 "$KEY_A" "$tmp/a.json"
ID_A=$(json_get "$PBODY" 'd["dossier_id"]')
jcheck "$PBODY" 'd["status"] == "draft" and d["dossier_code"] == "" and d["receipt"] is None
    and [(c["code"], c["size"], c["received_bytes"], c["complete"]) for c in d["components"]]
    == [("TP1", '"$SIZE"', 0, False), ("TP2", '"$(size_of "$tmp/plain.pdf")"', 0, False)]' \
    "the new dossier"
create 200 "$KEY_A" "$tmp/a.json"
assert_eq "$(json_get "$PBODY" 'd["dossier_id"]')" "$ID_A" "dossier id for the same key"
# The same request with other key order and spacing is the same request.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d, indent=3,
    sort_keys=True))' "$tmp/a.json" >"$tmp/a-reordered.json"
create 200 "$KEY_A" "$tmp/a-reordered.json"
assert_eq "$(json_get "$PBODY" 'd["dossier_id"]')" "$ID_A" "dossier id for a reformatted body"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["form"]["ngay_sinh"]="2026-11-21";
json.dump(d, open(sys.argv[2], "w"))' "$tmp/a.json" "$tmp/a-changed.json"
create 409 "$KEY_A" "$tmp/a-changed.json"
jcheck "$PBODY" 'd["error"] == "idempotency_conflict" and "'"$ID_A"'" in d["message"]'
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers after the conflict"
# Eight clients racing with one new key: one dossier, one 201.
KEY_R=$(key_of racing)
racers=()
for i in 1 2 3 4 5 6 7 8; do
    curl -sS -o "$tmp/race-$i.json" -w '%{http_code}\n' -X POST \
        -H "Authorization: Bearer $NEAC_PORTAL_TOKEN" -H "Idempotency-Key: $KEY_R" \
        --data-binary "@$tmp/a.json" "$PORTAL_URL/dossiers" >"$tmp/race-$i.code" &
    racers+=($!)
done
wait "${racers[@]}"
assert_eq "$(cat "$tmp"/race-*.code | sort | uniq -c | awk '{print $1 "x" $2}' | xargs)" \
    "7x200 1x201" "statuses of racing creates"
assert_eq "$(python3 -c 'import json,sys; print(len({json.load(open(f))["dossier_id"]
    for f in sys.argv[1:]}))' "$tmp"/race-*.json)" 1 "dossier ids of racing creates"
assert_eq "$(portal_stat 'd["dossiers"]')" 2 "dossiers after racing creates"

step "create: validation (422)"
# One edit of the valid request per case, and a word the 422 message must name.
python3 - "$tmp/a.json" "$tmp/bad" <<'PY' || fail "cannot write the invalid requests"
import copy, json, sys
base = json.load(open(sys.argv[1], encoding="utf-8"))
cases = [
    ('d["components"][1]["code"] = "TP1"', "duplicate component code TP1"),
    ('d["components"] = []', "at least one component"),
    ('del d["components"]', "components"),
    ('d["components"][0]["size"] = 1000001', "limit"),
    ('d["components"][0]["size"] = "12345"', "size"),
    ('d["components"][0]["size"] = 0', "size"),
    ('d["components"][0]["size"] = 12.5', "size"),
    ('d["components"][0]["media_type"] = "image/png"', "image/png"),
    ('d["components"][0]["file_name"] = "../to-khai.pdf"', "file_name"),
    ('d["components"][0]["file_name"] = "a/b.pdf"', "file_name"),
    ('d["components"][0]["code"] = "TP/1"', "code"),
    ('d["components"][0]["code"] = "T" * 33', "code"),
    ('d["components"][0]["sha256"] = "00"', "sha256"),
    ('d["components"][0]["signature_required"] = "yes"', "signature_required"),
    ('d["components"][0]["expected_signer"] = "NGUYEN.*"', "expected_signer"),
    ('del d["procedure_code"]', "procedure_code"),
    ('d["applicant"]["id_number"] = "12345"', "CCCD"),
    ('d["applicant"]["id_kind"] = "GPLX"', "id_kind"),
    ('d["applicant"] = "NGUYỄN VĂN A"', "applicant"),
    ('d["form"] = [1, 2]', "form"),
    ('d = [d]', "object"),
]
for i, (edit, word) in enumerate(cases):
    g = {"d": copy.deepcopy(base)}
    exec(edit, g)
    json.dump(g["d"], open(f"{sys.argv[2]}-{i}.json", "w", encoding="utf-8"), ensure_ascii=False)
    open(f"{sys.argv[2]}-{i}.case", "w", encoding="utf-8").write(edit + "\n" + word)
PY
for f in "$tmp"/bad-*.json; do
    create 422 "$(key_of "$f")" "$f"
    cp "$PBODY" "${f%.json}.answer"
done
python3 - "$tmp"/bad-*.json <<'PY' || fail "a 422 answer does not name the problem"
import json, sys
ok = True
for f in sys.argv[1:]:
    edit, word = open(f[:-5] + ".case", encoding="utf-8").read().split("\n")
    a = json.load(open(f[:-5] + ".answer", encoding="utf-8"))
    if a.get("error") != "invalid_dossier" or word not in a.get("message", ""):
        print(f"{edit}: expected invalid_dossier naming '{word}', got {a}", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
assert_eq "$(portal_stat 'd["dossiers"]')" 2 "dossiers after invalid requests"

# --- upload: chunks, offsets -------------------------------------------------------------------
step "upload in chunks, offset mismatch"
portal_expect 200 GET "/dossiers/$ID_A/components/TP1/upload"
jcheck "$PBODY" 'd == {"code": "TP1", "size": '"$SIZE"', "received_bytes": 0,
    "complete": False}' "upload state before"
portal_expect 404 GET "/dossiers/$ID_A/components/TP9/upload"
jcheck "$PBODY" 'd["error"] == "not_found"'
portal_expect 404 GET "/dossiers/d-000000/components/TP1/upload"
patch 413 "$ID_A" TP1 0 "$tmp/signed.pdf"
jcheck "$PBODY" 'd["error"] == "chunk_too_large"'
portal_expect 400 PATCH "/dossiers/$ID_A/components/TP1/upload" \
    -H 'Content-Type: application/offset+octet-stream' --data-binary "@$tmp/part1"
jcheck "$PBODY" 'd["error"] == "missing_upload_offset"'
for bad in -1 abc 99999999999999999999 "1 2"; do
    patch 400 "$ID_A" TP1 "$bad" "$tmp/part1"
    jcheck "$PBODY" 'd["error"] == "invalid_upload_offset"' "Upload-Offset '$bad'"
done
portal_expect 415 PATCH "/dossiers/$ID_A/components/TP1/upload" -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/pdf' --data-binary "@$tmp/part1"
assert_eq "$(portal_stat 'd["bytes_received"]')" 0 "bytes stored by refused chunks"

patch 200 "$ID_A" TP1 0 "$tmp/part1"
jcheck "$PBODY" 'd["received_bytes"] == '"$HALF"' and not d["complete"]' "after chunk 1"
assert_eq "$(stored_size "$ID_A" 0)" "$HALF" "bytes on disk after chunk 1"
# A retried first chunk, and a chunk from the future: 409 with the state, nothing stored.
patch 409 "$ID_A" TP1 0 "$tmp/part1"
jcheck "$PBODY" 'd["error"] == "offset_mismatch" and d["received_bytes"] == '"$HALF"' and
    d["size"] == '"$SIZE"' and d["complete"] is False' "409 offset_mismatch"
patch 409 "$ID_A" TP1 $((HALF + 10)) "$tmp/part2"
jcheck "$PBODY" 'd["error"] == "offset_mismatch" and d["received_bytes"] == '"$HALF"
assert_eq "$(stored_size "$ID_A" 0)" "$HALF" "bytes on disk after the mismatches"
portal_expect 200 GET "/dossiers/$ID_A/components/TP1/upload"
jcheck "$PBODY" 'd["received_bytes"] == '"$HALF"
# Past the declared size: 422, nothing stored.
{ cat "$tmp/part2"; printf 'X'; } >"$tmp/part2-long"
patch 422 "$ID_A" TP1 "$HALF" "$tmp/part2-long"
jcheck "$PBODY" 'd["error"] == "size_exceeded" and d["received_bytes"] == '"$HALF"
assert_eq "$(stored_size "$ID_A" 0)" "$HALF" "bytes on disk after the refused long chunk"
assert_eq "$(portal_stat 'd["bytes_received"]')" "$HALF" "bytes_received"

# --- crash in the middle of an upload, restart ---------------------------------------------------
step "crash-upload: the portal stops mid-chunk, restarts on the same db and port"
CRASH=$((HALF + 100))
portal_fault "crash-upload@$CRASH"
assert_eq "$(portal_stat 'd["faults"]')" "[\"crash-upload@$CRASH\"]" "pending faults"
portal_req PATCH "/dossiers/$ID_A/components/TP1/upload" -H "Upload-Offset: $HALF" \
    -H 'Content-Type: application/offset+octet-stream' --data-binary "@$tmp/part2"
assert_eq "$PSTATUS" 000 "HTTP status of the crashed upload (no answer)"
wait_portal_exit
assert_eq "$PORTAL_EXIT" 3 "exit status of the crashed simulator"
assert_eq "$(stored_size "$ID_A" 0)" "$CRASH" "bytes on disk after the crash"
assert_file_contains "$PORTAL_LOG" "crash-upload"

PORTAL_PORT=$PORT start_portal "${SIM_OPTS[@]}"
assert_eq "$PORTAL_PORT_USED" "$PORT" "port after the restart"
assert_eq "$(portal_stat 'd["dossiers"]')" 2 "dossiers after the restart"
portal_expect 200 GET "/dossiers/$ID_A/components/TP1/upload"
jcheck "$PBODY" 'd == {"code": "TP1", "size": '"$SIZE"', "received_bytes": '"$CRASH"',
    "complete": False}' "upload state after the restart"
create 200 "$KEY_A" "$tmp/a.json"
jcheck "$PBODY" 'd["dossier_id"] == "'"$ID_A"'" and
    d["components"][0]["received_bytes"] == '"$CRASH" "the dossier found again by its key"
tail -c +$((CRASH + 1)) "$tmp/signed.pdf" >"$tmp/rest"
patch 200 "$ID_A" TP1 "$CRASH" "$tmp/rest"
jcheck "$PBODY" 'd["received_bytes"] == '"$SIZE"' and d["complete"] is True' "TP1 complete"
cmp -s "$PORTAL_STORE/$ID_A/0.bin" "$tmp/signed.pdf" || fail "the stored TP1 is not the signed PDF"
assert_eq "$(portal_stat 'd["bytes_received"]')" $((SIZE - CRASH)) "bytes sent after the restart"
patch 409 "$ID_A" TP1 "$SIZE" "$tmp/rest"
jcheck "$PBODY" 'd["error"] == "already_complete" and d["complete"] is True'

step "submit: incomplete, then complete"
portal_expect 409 POST "/dossiers/$ID_A/submit"
jcheck "$PBODY" 'd["error"] == "incomplete" and d["components"] == ["TP2"]'
patch 200 "$ID_A" TP2 0 "$tmp/plain.pdf"
jcheck "$PBODY" 'd["complete"] is True' "TP2 complete"
portal_expect 200 POST "/dossiers/$ID_A/submit"
cp "$PBODY" "$tmp/submitted.json"
today=$(date -u +%y%m%d)
jcheck "$tmp/submitted.json" 'd["status"] == "submitted" and d["dossier_id"] == "'"$ID_A"'"
    and __import__("re").fullmatch(r"H40\.22-'"$today"'-\d{4}", d["dossier_code"]) is not None
    and __import__("re").fullmatch(r"BN-\d{6}", d["receipt"]["number"]) is not None
    and d["receipt"]["issued_at"].endswith("Z") and d["receipt"]["office"]
    and d["receipt"]["expected_result_date"] > d["receipt"]["issued_at"][:10]
    and all(c["complete"] for c in d["components"])' "the submitted dossier"
CODE_A=$(json_get "$tmp/submitted.json" 'd["dossier_code"]')
portal_expect 200 POST "/dossiers/$ID_A/submit"
cmp -s "$PBODY" "$tmp/submitted.json" || fail "a second submit answers another document"
portal_expect 200 GET "/dossiers/$CODE_A"
cmp -s "$PBODY" "$tmp/submitted.json" || fail "GET by code answers another document"
portal_expect 200 GET "/dossiers/$ID_A"
jcheck "$PBODY" 'd["dossier_code"] == "'"$CODE_A"'"'
create 200 "$KEY_A" "$tmp/a.json"
jcheck "$PBODY" 'd["status"] == "submitted" and d["dossier_code"] == "'"$CODE_A"'"' \
    "create with the key of a submitted dossier"
patch 409 "$ID_A" TP2 0 "$tmp/plain.pdf"
jcheck "$PBODY" 'd["error"] == "already_submitted"'
assert_eq "$(portal_stat 'd["submitted"]')" 1 "submitted dossiers"

step "history: the officials' view of the signatures"
portal_get "/dossiers/$CODE_A/history" >/dev/null
cp "$PBODY" "$tmp/history.json"
serial=$(openssl x509 -in "$signer_pem" -noout -serial | cut -d= -f2)
issuer_cn=$(openssl x509 -in "$signer_pem" -noout -issuer -nameopt multiline,utf8 |
    sed -n 's/^ *commonName *= *//p')
jcheck "$tmp/history.json" 'd["dossier_code"] == "'"$CODE_A"'" and
    d["procedure_code"] == "1.001193" and d["status"] == "submitted"' "history header"
assert_eq "$(json_get "$tmp/history.json" 'd["submitted_at"]')" \
    "$(json_get "$tmp/submitted.json" 'd["receipt"]["issued_at"]')" "submitted_at"
python3 - "$tmp/history.json" "$serial" "$issuer_cn" "$(sha_of "$tmp/signed.pdf")" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
serial, issuer_cn, sha = sys.argv[2], sys.argv[3], sys.argv[4]
tp1, tp2 = d["components"]
assert (tp1["code"], tp1["file_name"], tp1["sha256"]) == ("TP1", "signed.pdf", sha), tp1
assert tp1["title"] == "Thành phần TP1" and tp1["uploaded_at"].endswith("Z"), tp1
assert len(tp1["signatures"]) == 1, tp1["signatures"]
s = tp1["signatures"][0]
assert s["index"] == 1 and s["field"], s
assert s["signer_name"] == "NGUYỄN VĂN A", s
assert (s["identity_kind"], s["identity_number"]) == ("CCCD", "001099012345"), s
assert s["verdict"] == "PASSED" and s["detail"] == "", s
assert s["serial"].lstrip("0").upper() == serial.lstrip("0").upper(), (s["serial"], serial)
assert issuer_cn and issuer_cn in s["issuer"], (s["issuer"], issuer_cn)
assert s["claimed_time"].endswith("Z"), s
assert tp1["verification"]["verdict"] == "PASSED", tp1["verification"]
# TP2 has no signature: recorded as such, and it was not required.
assert tp2["code"] == "TP2" and tp2["signatures"] == [], tp2
assert tp2["verification"]["verdict"] == "FAILED", tp2["verification"]
assert "no signature" in tp2["verification"]["summary"], tp2["verification"]
PY
    fail "history of $CODE_A: $(cat "$tmp/history.json")"
portal_expect 200 GET "/dossiers/$ID_A/history"
cmp -s "$PBODY" "$tmp/history.json" || fail "history by id differs from history by code"
portal_expect 404 GET /dossiers/H40.22-000000-0000/history
portal_expect 404 POST /dossiers/d-000000/submit

# --- signature checks at submission ------------------------------------------------------------
step "submit refuses a required signature that is missing or by someone else (422)"
dossier_json "$tmp/b.json" 1.001193 TP1 "$tmp/plain2.pdf" 1 001099012345
create 201 "$(key_of dossier-b)" "$tmp/b.json"
ID_B=$(json_get "$PBODY" 'd["dossier_id"]')
patch 200 "$ID_B" TP1 0 "$tmp/plain2.pdf"
jcheck "$PBODY" 'd["complete"] is True' "unsigned PDF uploaded"
portal_expect 422 POST "/dossiers/$ID_B/submit"
jcheck "$PBODY" 'd["error"] == "signature_rejected" and len(d["components"]) == 1 and
    d["components"][0]["code"] == "TP1" and "no signature" in d["components"][0]["reason"]' \
    "422 for an unsigned PDF"
portal_expect 200 GET "/dossiers/$ID_B"
jcheck "$PBODY" 'd["status"] == "draft" and d["dossier_code"] == ""' "B stays a draft"

dossier_json "$tmp/d.json" 1.001193 TP1 "$tmp/signed.pdf" 1 079188004321
create 201 "$(key_of dossier-d)" "$tmp/d.json"
ID_D=$(json_get "$PBODY" 'd["dossier_id"]')
patch 200 "$ID_D" TP1 0 "$tmp/part1"
patch 200 "$ID_D" TP1 "$HALF" "$tmp/part2"
portal_expect 422 POST "/dossiers/$ID_D/submit"
jcheck "$PBODY" 'd["error"] == "signature_rejected" and
    "079188004321" in d["components"][0]["reason"]' "422 for another signer"

# --- SHA-256 mismatch ------------------------------------------------------------------------
step "sha256 mismatch: 422 and the component is reset"
dossier_json "$tmp/c.json" 1.001193 TP1 "$tmp/plain.pdf" 0 "" "$(sha_of "$tmp/plain2.pdf")"
create 201 "$(key_of dossier-c)" "$tmp/c.json"
ID_C=$(json_get "$PBODY" 'd["dossier_id"]')
patch 422 "$ID_C" TP1 0 "$tmp/plain.pdf"
jcheck "$PBODY" 'd["error"] == "sha256_mismatch" and d["received_bytes"] == 0 and
    d["complete"] is False and d["sha256"] == "'"$(sha_of "$tmp/plain.pdf")"'"' "422 body"
portal_expect 200 GET "/dossiers/$ID_C/components/TP1/upload"
jcheck "$PBODY" 'd["received_bytes"] == 0 and d["complete"] is False' "state after the reset"
assert_eq "$(stored_size "$ID_C" 0)" 0 "bytes on disk after the reset"
portal_expect 409 POST "/dossiers/$ID_C/submit"

# --- transport faults --------------------------------------------------------------------------
step "drop-upload, 500 and 503 faults"
dossier_json "$tmp/e.json" 2.000001 TP1 "$tmp/signed.pdf" 1 ""
create 201 "$(key_of dossier-e)" "$tmp/e.json"
ID_E=$(json_get "$PBODY" 'd["dossier_id"]')
DROP=$((HALF / 2))
portal_fault "drop-upload@$DROP"
portal_req PATCH "/dossiers/$ID_E/components/TP1/upload" -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/offset+octet-stream' --data-binary "@$tmp/part1"
[ "$PCURL" -ne 0 ] || fail "the dropped upload got a whole answer: $PSTATUS $(cat "$PBODY")"
kill -0 "$PORTAL_PID" 2>/dev/null || fail "portal_sim died on drop-upload"
portal_expect 200 GET "/dossiers/$ID_E/components/TP1/upload"
jcheck "$PBODY" 'd["received_bytes"] == '"$DROP" "state after the dropped upload"
tail -c +$((DROP + 1)) "$tmp/part1" >"$tmp/part1-rest"
patch 200 "$ID_E" TP1 "$DROP" "$tmp/part1-rest"
patch 200 "$ID_E" TP1 "$HALF" "$tmp/part2"
jcheck "$PBODY" 'd["complete"] is True' "E's TP1 complete after the drop"

portal_fault '503@info*1'
portal_req GET /info
assert_eq "$PSTATUS" 503 "first /info under 503@info*1"
portal_expect 200 GET /info
dossiers=$(portal_stat 'd["dossiers"]')
portal_fault '500@create*2'
create 500 "$(key_of dossier-f)" "$tmp/e.json"
jcheck "$PBODY" 'd["error"] == "server_error"'
create 500 "$(key_of dossier-f)" "$tmp/e.json"
create 201 "$(key_of dossier-f)" "$tmp/e.json"
assert_eq "$(portal_stat 'd["dossiers"]')" $((dossiers + 1)) "dossiers created through 500s"
portal_fault '500@submit'
portal_expect 500 POST "/dossiers/$ID_E/submit"
curl -sS -f -X POST "$PORTAL_ROOT/_sim/clear-faults" >/dev/null || fail "clear-faults"
portal_expect 200 POST "/dossiers/$ID_E/submit"
CODE_E=$(json_get "$PBODY" 'd["dossier_code"]')
if [ "${CODE_E%-*}" = "${CODE_A%-*}" ]; then
    assert_eq "$((10#${CODE_E##*-}))" $((10#${CODE_A##*-} + 1)) "the per-day sequence"
else # midnight (UTC) passed between the two submissions: a new day starts at 0001
    assert_eq "${CODE_E##*-}" 0001 "the first code of a new day"
fi
curl -sS -X POST "$PORTAL_ROOT/_sim/fault?spec=bogus@1" -o "$PBODY" -w '%{http_code}' \
    >"$tmp/.code" || true
assert_eq "$(cat "$tmp/.code")" 400 "a malformed fault spec"
jcheck "$PBODY" 'd["error"] == "invalid_fault"'

# --- without trust anchors, the verdict is not PASSED --------------------------------------------
step "restart without --trust: a signature that cannot be trusted is refused"
PORTAL_PORT=$PORT start_portal --chunk-bytes "$CHUNK"
dossier_json "$tmp/g.json" 1.001193 TP1 "$tmp/signed.pdf" 1 001099012345
create 201 "$(key_of dossier-g)" "$tmp/g.json"
ID_G=$(json_get "$PBODY" 'd["dossier_id"]')
patch 200 "$ID_G" TP1 0 "$tmp/part1"
patch 200 "$ID_G" TP1 "$HALF" "$tmp/part2"
portal_expect 422 POST "/dossiers/$ID_G/submit"
jcheck "$PBODY" '"INDETERMINATE" in d["components"][0]["reason"]' "422 without anchors"
portal_get "/dossiers/$ID_G/history" >/dev/null
jcheck "$PBODY" 'd["components"][0]["signatures"][0]["verdict"] == "INDETERMINATE" and
    d["components"][0]["signatures"][0]["detail"] == "NO_CERTIFICATE_CHAIN_FOUND" and
    d["components"][0]["signatures"][0]["signer_name"] == "NGUYỄN VĂN A"' "untrusted history"
# The earlier dossiers are still there, codes and all.
portal_get "/dossiers/$CODE_A/history" >/dev/null
jcheck "$PBODY" 'd["components"][0]["signatures"][0]["verdict"] == "PASSED"' \
    "history of A after restarts"

# --- hostile requests never crash it ---------------------------------------------------------
step "malformed requests get JSON errors"
portal_expect 404 GET /nothing/here
jcheck "$PBODY" 'd["error"] == "not_found"'
portal_expect 404 DELETE "/dossiers/$ID_A"
head -c 5000 /dev/urandom >"$tmp/noise"
create 400 "$(key_of noise)" "$tmp/noise"
portal_req POST /dossiers -H "Idempotency-Key: $(key_of big)" --data-binary "@$tmp/signed.pdf" \
    -H 'Content-Type: application/json'
[ "$PSTATUS" = 400 ] || [ "$PSTATUS" = 413 ] || fail "a PDF as JSON: HTTP $PSTATUS"
# A raw request that is not HTTP at all.
python3 - "$PORT" <<'PY' || fail "raw garbage request"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
s.settimeout(5)
try:
    s.recv(1000)
except OSError:
    pass
s.close()
PY
kill -0 "$PORTAL_PID" 2>/dev/null || fail "portal_sim died on malformed requests"
portal_get /info >/dev/null

step "one log line per request, never the token"
assert_file_contains "$PORTAL_LOG" "portal_sim: PATCH /neac/v1/dossiers/$ID_A/components/TP1/upload -> 200"
assert_file_contains "$PORTAL_LOG" "portal_sim: POST /neac/v1/dossiers/$ID_A/submit -> 200"
assert_file_not_contains "$PORTAL_LOG" "$NEAC_PORTAL_TOKEN"

stop_portal
"$PORTAL_BIN" --db "$tmp/x.db" >/dev/null 2>"$tmp/usage.err" && fail "portal_sim without --store"
assert_file_contains "$tmp/usage.err" "usage: portal_sim"
"$PORTAL_BIN" --db "$tmp/x.db" --store "$tmp/x" --fault 'crash-upload@x' >/dev/null \
    2>"$tmp/usage.err" && fail "portal_sim with a bad --fault"
assert_file_contains "$tmp/usage.err" "crash-upload needs @BYTES"
printf 'not a database at all, just text that is long enough to be a header....' >"$tmp/junk.db"
"$PORTAL_BIN" --db "$tmp/junk.db" --store "$tmp/x" >/dev/null 2>"$tmp/usage.err" &&
    fail "portal_sim on a file that is not a database"
assert_file_contains "$tmp/usage.err" "portal_sim:"
pass
