#!/usr/bin/env bash
# A small PKI whose certificates point at revocation services on loopback, for the long-term
# signature tests (PAdES B-LT/B-LTA):
#
#   make_ltv_pki.sh OUT OCSP_URL CRL_BASE_URL
#
#   root-ca.{key,pem}        self-signed root; publishes root.crl (the intermediate's status)
#   issuing-ca.{key,pem}     intermediate; its certificates name OCSP_URL (AIA) and
#                            CRL_BASE_URL/issuing.crl (distribution point); it names
#                            CRL_BASE_URL/root.crl
#   signer.{key,pem,p12}     signer, valid for 365 days from yesterday
#   signer2.{key,pem,p12}    a second signer (revoked by the tests)
#   tsa.{key,pem}            TSA (critical timeStamping), valid for 30 days: so that
#                            `extend --renew-before` sees it near its end
#   ocsp.{key,pem}           delegated OCSP responder of the intermediate (OCSPSigning, noCheck)
#   rogue.{key,pem}          a responder certificate from another CA: not authorised
#   chain.pem                issuing-ca + root-ca
#   ca/index.txt             the intermediate's database, for `openssl ocsp -index`
#   crl/issuing.crl, crl/root.crl   DER CRLs (30 days)
#   crl/issuing.cer, crl/root.cer   the CA certificates (DER), named by AIA caIssuers
# PKCS#12 password: test123.
#
#   make_ltv_pki.sh --crls OUT        issues both CRLs again (after a test revoked something)
set -euo pipefail
ossl() { openssl "$@" 2>/dev/null; }
crls() {
    local cnf=$1/ca/ca.cnf
    ossl ca -config "$cnf" -gencrl -out "$1/crl/issuing.pem"
    ossl ca -config "$cnf" -name root -gencrl -out "$1/crl/root.pem"
    ossl crl -in "$1/crl/issuing.pem" -outform DER -out "$1/crl/issuing.crl"
    ossl crl -in "$1/crl/root.pem" -outform DER -out "$1/crl/root.crl"
}
if [ "$1" = --crls ]; then
    crls "$2"
    exit 0
fi
out=$1 ocsp_url=$2 crl_base=$3
mkdir -p "$out/ca/newcerts" "$out/crl"
cd "$out"
key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
yesterday=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)

: >ca/index.txt
echo "unique_subject = no" >ca/index.txt.attr
echo 2000 >ca/serial
echo 2000 >ca/crlnumber
: >ca/root-index.txt
echo "unique_subject = no" >ca/root-index.txt.attr
echo 10 >ca/root-serial
echo 10 >ca/root-crlnumber
cat >ca/ca.cnf <<CNF
[ ca ]
default_ca = issuing
[ issuing ]
dir = $out/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $out/issuing-ca.pem
private_key = $out/issuing-ca.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
string_mask = utf8only
utf8 = yes
copy_extensions = none
[ root ]
dir = $out/ca
database = \$dir/root-index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/root-serial
crlnumber = \$dir/root-crlnumber
certificate = $out/root-ca.pem
private_key = $out/root-ca.key
default_md = sha256
default_days = 3650
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
[ v3_issuing ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$crl_base/root.crl
authorityInfoAccess = caIssuers;URI:$crl_base/root.cer
[ v3_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$ocsp_url, caIssuers;URI:$crl_base/issuing.cer
crlDistributionPoints = URI:$crl_base/issuing.crl
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$ocsp_url, caIssuers;URI:$crl_base/issuing.cer
crlDistributionPoints = URI:$crl_base/issuing.crl
[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
cnf=ca/ca.cnf

key root-ca.key
ossl req -new -x509 -config "$cnf" -utf8 -key root-ca.key -sha256 -days 3650 \
    -subj "/C=VN/O=neac LTV test/CN=neac LTV Root CA" -extensions v3_root -out root-ca.pem
key issuing-ca.key
ossl req -new -config "$cnf" -utf8 -key issuing-ca.key \
    -subj "/C=VN/O=neac LTV test/CN=neac LTV Issuing CA" -out issuing-ca.csr
ossl ca -batch -config "$cnf" -name root -notext -preserveDN -extensions v3_issuing \
    -startdate "$yesterday" -in issuing-ca.csr -out issuing-ca.pem
rm -f issuing-ca.csr
cat issuing-ca.pem root-ca.pem >chain.pem
# Published where the certificates' AIA caIssuers say (DER).
ossl x509 -in root-ca.pem -outform DER -out crl/root.cer
ossl x509 -in issuing-ca.pem -outform DER -out crl/issuing.cer

# issue NAME SUBJECT EXTENSIONS DAYS: signed by the intermediate, valid from yesterday.
issue() {
    key "$1.key"
    ossl req -new -config "$cnf" -utf8 -key "$1.key" -subj "$2" -out "$1.csr"
    ossl ca -batch -config "$cnf" -notext -preserveDN -extensions "$3" -startdate "$yesterday" \
        -days "$4" -in "$1.csr" -out "$1.pem"
    rm -f "$1.csr"
}
issue signer "/C=VN/UID=CCCD:001099012345/CN=NGUYỄN VĂN A" v3_signer 365
issue signer2 "/C=VN/UID=CCCD:079188004321/CN=TRẦN THỊ BÍCH NGỌC" v3_signer 365
issue tsa "/C=VN/O=neac LTV test/CN=neac LTV TSA" v3_tsa 30
issue ocsp "/C=VN/O=neac LTV test/CN=neac LTV OCSP Responder" v3_ocsp 365
for s in signer signer2; do
    ossl pkcs12 -export -in "$s.pem" -inkey "$s.key" -certfile chain.pem -name "$s" \
        -passout pass:test123 -out "$s.p12"
done
# A responder from a CA of its own: its answers about this PKI are not authorised.
key rogue.key
ossl req -new -x509 -config "$cnf" -utf8 -key rogue.key -sha256 -days 365 \
    -subj "/C=VN/O=elsewhere/CN=Rogue OCSP Responder" -out rogue.pem
cat tsa.pem chain.pem >tsa-chain.pem
crls "$out"
chmod 600 ./*.key
