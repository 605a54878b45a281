#!/usr/bin/env bash
# Test PKI for neac, made with the openssl CLI (independent of the code under test).
#
#   make_pki.sh OUTDIR
#
# Creates in OUTDIR (idempotent: an existing complete PKI of the same script version is kept):
#   root-ca.{key,pem}          "neac Test Root CA" (RSA 2048, self-signed)
#   intermediate-ca.{key,pem}  "neac Test Issuing CA" (RSA 2048, pathlen 0)
#   chain.pem                  intermediate + root (the -CAfile for openssl cms/ts -verify)
#   signer-rsa.{key,pem,p12}   CN=NGUYỄN VĂN A, UID=CCCD:001099012345, C=VN (RSA 2048; also used
#                              for RSA-PSS)
#   signer-p256.{key,pem,p12}  same subject, EC P-256
#   signer-p384.{key,pem,p12}  same subject, EC P-384
#   signer-other.{key,pem,p12} CN=TRẦN THỊ BÍCH NGỌC, UID=CCCD:079188004321, C=VN (RSA 2048)
#   signer-revoked.{key,pem,p12} CN=LÊ VĂN CƯỜNG, UID=CMND:123456789, C=VN (RSA 2048, revoked)
#   signer-legacy.p12          signer-rsa in a legacy (RC2-40/3DES, SHA-1 MAC) PKCS#12, if the
#                              OpenSSL legacy provider is installed
#   tsa.{key,pem}              "neac Test TSA", critical extendedKeyUsage=timeStamping
#   tsa-chain.pem              tsa + intermediate + root
#   ocsp.{key,pem}             OCSP responder for the intermediate (extendedKeyUsage=OCSPSigning)
#   server.{key,pem}           TLS server for localhost / 127.0.0.1 (HTTPS tests)
#   ca/index.txt, ca/ca.cnf    the intermediate's CA database (for `openssl ocsp -index`)
#   intermediate.crl.pem       CRL of the intermediate listing signer-revoked
# Every .p12 has the password "test123" and carries chain.pem as extra certificates.
set -euo pipefail

out=${1:?usage: make_pki.sh OUTDIR}
version=4
if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$version" ]]; then
    exit 0
fi
mkdir -p "$out"
cd "$out"
rm -f .complete

ossl() { openssl "$@" 2>/dev/null; }
PASS=test123
DAYS_CA=3650
DAYS_EE=730

# A CA database for the intermediate: `openssl ca` keeps index.txt (for OCSP) and makes the CRL.
mkdir -p ca/newcerts
: > ca/index.txt
echo "unique_subject = no" > ca/index.txt.attr
echo 1000 > ca/serial
echo 1000 > ca/crlnumber
cat > ca/ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $out/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $out/intermediate-ca.pem
private_key = $out/intermediate-ca.key
default_md = sha256
default_days = $DAYS_EE
default_crl_days = 30
policy = policy_any
string_mask = utf8only
utf8 = yes
copy_extensions = none
[ policy_any ]
countryName = optional
commonName = supplied
userId = optional
organizationName = optional
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8888/ocsp
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
cnf=ca/ca.cnf

rsa_key() { ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$1"; }

# Root and intermediate.
rsa_key root-ca.key
ossl req -new -x509 -config "$cnf" -utf8 -key root-ca.key -sha256 -days $DAYS_CA \
    -subj "/C=VN/O=neac test/CN=neac Test Root CA" -extensions v3_root -out root-ca.pem
rsa_key intermediate-ca.key
ossl req -new -config "$cnf" -utf8 -key intermediate-ca.key \
    -subj "/C=VN/O=neac test/CN=neac Test Issuing CA" -out intermediate-ca.csr
ossl x509 -req -in intermediate-ca.csr -CA root-ca.pem -CAkey root-ca.key -set_serial 0x100 \
    -days $DAYS_CA -sha256 -extfile "$cnf" -extensions v3_intermediate -out intermediate-ca.pem
rm -f intermediate-ca.csr
cat intermediate-ca.pem root-ca.pem > chain.pem

# issue NAME SUBJECT EXTENSIONS: CSR from NAME.key, signed by the intermediate via `openssl ca`
# so that index.txt knows it.
issue() {
    local name=$1 subj=$2 ext=$3
    ossl req -new -config "$cnf" -utf8 -key "$name.key" -subj "$subj" -out "$name.csr"
    ossl ca -batch -config "$cnf" -notext -preserveDN -extensions "$ext" -in "$name.csr" -out "$name.pem"
    rm -f "$name.csr"
}
p12() {
    ossl pkcs12 -export -in "$1.pem" -inkey "$1.key" -certfile chain.pem -name "$1" \
        -passout pass:$PASS -out "$1.p12"
}

rsa_key signer-rsa.key
issue signer-rsa "/C=VN/UID=CCCD:001099012345/CN=NGUYỄN VĂN A" v3_signer
ec_key signer-p256.key P-256
issue signer-p256 "/C=VN/UID=CCCD:001099012345/CN=NGUYỄN VĂN A" v3_signer
ec_key signer-p384.key P-384
issue signer-p384 "/C=VN/UID=CCCD:001099012345/CN=NGUYỄN VĂN A" v3_signer
rsa_key signer-other.key
issue signer-other "/C=VN/UID=CCCD:079188004321/CN=TRẦN THỊ BÍCH NGỌC" v3_signer
rsa_key signer-revoked.key
issue signer-revoked "/C=VN/UID=CMND:123456789/CN=LÊ VĂN CƯỜNG" v3_signer
for s in signer-rsa signer-p256 signer-p384 signer-other signer-revoked; do p12 "$s"; done
if [[ -f "$(openssl version -m | sed 's/.*"\(.*\)"/\1/')/legacy.so" ]]; then
    ossl pkcs12 -export -legacy -in signer-rsa.pem -inkey signer-rsa.key -certfile chain.pem \
        -name signer-legacy -passout pass:$PASS -out signer-legacy.p12 || rm -f signer-legacy.p12
fi

rsa_key tsa.key
issue tsa "/C=VN/O=neac test/CN=neac Test TSA" v3_tsa
cat tsa.pem intermediate-ca.pem root-ca.pem > tsa-chain.pem
rsa_key ocsp.key
issue ocsp "/C=VN/O=neac test/CN=neac Test OCSP Responder" v3_ocsp
ec_key server.key P-256
issue server "/C=VN/O=neac test/CN=localhost" v3_server

ossl ca -config "$cnf" -revoke signer-revoked.pem -crl_reason keyCompromise
ossl ca -config "$cnf" -gencrl -out intermediate.crl.pem

chmod 600 ./*.key
echo "$version" > .complete
