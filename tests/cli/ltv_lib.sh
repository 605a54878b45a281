# Long-term signature fixtures: a PKI whose certificates name revocation services on loopback
# (tests/support/make_ltv_pki.sh), `openssl ocsp` as its responder, its CRLs over HTTP and the
# TSA simulator. Source after lib.sh:
#
#   ltv_start                      make the PKI in $ltv and start the three services; sets
#                                  $ltv (the PKI folder), $ltv_tsa (TSA URL), $ltv_root
#   ocsp_start [RSIGNER RKEY [MINUTES [INDEX]]]   (re)start the responder (default: the
#                                  delegated responder, answers valid for 60 minutes, the
#                                  intermediate's index.txt)
#   ocsp_stop, crl_stop, crl_start (the CRL server)
#   ocsp_requests, crl_requests, ca_requests   requests so far for OCSP, CRLs, CA certificates
#   ltv_revoke NAME [WHEN]         revoke $ltv/NAME.pem (WHEN: an openssl date YYMMDDHHMMSSZ
#                                  for the revocation time; default now), reissue the CRLs and
#                                  restart the responder
#   ltv_profile NAME CERT          a pkcs12 profile for $ltv/CERT.p12

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until FILE contains TEXT (servers announce themselves in their logs).
wait_for_log() {
    local i
    for i in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "a service did not start: $(cat "$1")"
}

ocsp_pid="" crl_pid="" tsa_pid=""
ocsp_stop() {
    if [ -n "$ocsp_pid" ]; then
        kill "$ocsp_pid" 2>/dev/null || true
        wait "$ocsp_pid" 2>/dev/null || true
        ocsp_pid=""
    fi
}
crl_stop() {
    if [ -n "$crl_pid" ]; then
        kill "$crl_pid" 2>/dev/null || true
        wait "$crl_pid" 2>/dev/null || true
        crl_pid=""
    fi
}
ltv_stop() {
    ocsp_stop
    crl_stop
    [ -z "$tsa_pid" ] || kill "$tsa_pid" 2>/dev/null || true
}
at_exit ltv_stop

ocsp_start() {
    ocsp_stop
    local signer=${1:-$ltv/ocsp.pem} key=${2:-$ltv/ocsp.key} minutes=${3:-60}
    local index=${4:-$ltv/ca/index.txt}
    [ -f "$tmp/ocsp.log" ] || : >"$tmp/ocsp.log"
    # Requests are counted over the whole test: the count so far survives the new log.
    local so_far
    so_far=$(ocsp_requests)
    echo "$so_far" >"$tmp/ocsp.count"
    openssl ocsp -index "$index" -port "$ocsp_port" -rsigner "$signer" -rkey "$key" \
        -CA "$ltv/issuing-ca.pem" -nmin "$minutes" >"$tmp/ocsp.log" 2>&1 &
    ocsp_pid=$!
    wait_for_log "$tmp/ocsp.log" "waiting for OCSP client connections"
}

crl_start() {
    crl_stop
    python3 -u -m http.server "$crl_port" --bind 127.0.0.1 --directory "$ltv/crl" \
        >>"$tmp/crl.log" 2>&1 &
    crl_pid=$!
    local i
    for i in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$crl_port/root.crl" && break
        sleep 0.1
    done
    crl_probes=$((${crl_probes:-0} + 1))
}
ca_requests() {
    local n
    n=$(grep -c '"GET /[^ ]*\.cer ' "$tmp/crl.log" 2>/dev/null || true)
    echo "${n:-0}"
}

# Requests the services answered: over every run of the responder, and without the CRL
# server's start-up probes.
ocsp_requests() {
    local now
    now=$(grep -c "Received request" "$tmp/ocsp.log" 2>/dev/null || true)
    echo $(($(cat "$tmp/ocsp.count" 2>/dev/null || echo 0) + ${now:-0}))
}
crl_requests() {
    local n
    n=$(grep -c '"GET /[^ ]*\.crl ' "$tmp/crl.log" 2>/dev/null || true)
    echo $((${n:-0} - ${crl_probes:-0}))
}

ltv_start() {
    ltv="$tmp/ltv-pki"
    ocsp_port=$(free_port)
    crl_port=$(free_port)
    bash "$NEAC_SOURCE_DIR/tests/support/make_ltv_pki.sh" "$ltv" "http://127.0.0.1:$ocsp_port/" \
        "http://127.0.0.1:$crl_port" || fail "cannot make the LTV test PKI"
    ltv_root="$ltv/root-ca.pem"
    ocsp_start
    crl_start
    "$NEAC_BUILD_DIR/tests/tsa_sim" --port 0 --cert "$ltv/tsa.pem" --key "$ltv/tsa.key" \
        --chain "$ltv/chain.pem" >"$tmp/tsa.out" 2>"$tmp/tsa.err" &
    tsa_pid=$!
    wait_for_log "$tmp/tsa.out" listening
    ltv_tsa=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/tsa.out")
}

ltv_revoke() {
    local name=$1 when=${2:-}
    openssl ca -config "$ltv/ca/ca.cnf" -revoke "$ltv/$name.pem" -crl_reason keyCompromise \
        2>/dev/null || fail "cannot revoke $name"
    if [ -n "$when" ]; then
        local serial
        serial=$(openssl x509 -in "$ltv/$name.pem" -noout -serial | cut -d= -f2)
        # index.txt: status, expiry, revocation "date,reason", serial, file, subject.
        awk -v s="$serial" -v w="$when" 'BEGIN { FS = OFS = "\t" }
            $4 == s && $1 == "R" { split($3, a, ","); $3 = w "," a[2] } { print }' \
            "$ltv/ca/index.txt" >"$ltv/ca/index.new" && mv "$ltv/ca/index.new" "$ltv/ca/index.txt"
    fi
    bash "$NEAC_SOURCE_DIR/tests/support/make_ltv_pki.sh" --crls "$ltv"
    ocsp_start
}

ltv_profile() {
    expect_exit 0 "$NEAC" profile add "$1" --display-name "NGUYỄN VĂN A" --phone 0912345678 \
        --account "${3:-001099012345}" --provider pkcs12 --pkcs12 "$ltv/$2.p12" \
        --password-env P12_PASSWORD
}
export P12_PASSWORD=test123
