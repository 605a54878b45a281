// Feeds RFC 3161 data to both places neac reads it:
//   - check_timestamp_token() and timestamp_imprint_algorithm(), as the verifier reads a
//     signature time-stamp token or a document timestamp (/SubFilter ETSI.RFC3161);
//   - check_timestamp_response(), as `neac sign --tsa` reads a TSA's TimeStampResp.
// The same input is tried as a token and as a response, so one corpus serves both.
//
// The time-stamped data is a fixed text (kData below); scripts/fuzz makes its token and response
// seeds over exactly these bytes with `openssl ts` and the test PKI's TSA, so the seeds pass the
// imprint check and mutations reach the signature, ESS and EKU checks behind it. For the
// response, the request it must answer is rebuilt from the response's own TSTInfo (algorithm,
// imprint, nonce) with OpenSSL, for the same reason; when that is impossible a fixed request is
// used and the response is refused at the nonce check.
#include "harness.hpp"

#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/digest.hpp"
#include "neac/crypto/timestamp.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ts.h>

#include <memory>

using namespace neac;

namespace {

const Bytes& data_bytes() {
    static const Bytes kData = to_bytes(std::string("neac fuzz timestamp data\n"));
    return kData;
}

Bytes fixed_request() {
    static const Bytes r = crypto::make_timestamp_request(
        crypto::DigestAlgorithm::Sha256,
        crypto::digest(crypto::DigestAlgorithm::Sha256, data_bytes()),
        Bytes{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08});
    return r;
}

// The request this response claims to answer, or the fixed one.
Bytes request_for(const Bytes& response) {
    const unsigned char* p = response.data();
    std::unique_ptr<TS_RESP, decltype(&TS_RESP_free)> resp(
        d2i_TS_RESP(nullptr, &p, static_cast<long>(response.size())), TS_RESP_free);
    TS_TST_INFO* info = resp ? TS_RESP_get_tst_info(resp.get()) : nullptr;
    const ASN1_INTEGER* nonce = info ? TS_TST_INFO_get_nonce(info) : nullptr;
    Bytes out = fixed_request();
    if (info && nonce) {
        TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info);
        X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(mi);
        ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(mi);
        std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(nonce, nullptr), BN_free);
        char oid[80] = "";
        if (alg && msg && bn && !BN_is_negative(bn.get()) && BN_num_bytes(bn.get()) >= 1 &&
            BN_num_bytes(bn.get()) <= 16 && OBJ_obj2txt(oid, sizeof oid, alg->algorithm, 1) > 0) {
            Bytes n(static_cast<std::size_t>(BN_num_bytes(bn.get())));
            BN_bn2bin(bn.get(), n.data());
            Bytes imprint(ASN1_STRING_get0_data(msg),
                          ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
            crypto::DigestSpec spec = crypto::digest_spec_from_oid(oid);
            try {
                out = crypto::make_timestamp_request(crypto::parse_digest_algorithm(spec.name),
                                                     imprint, n);
            } catch (const Error&) {
                // Not an algorithm or imprint neac would ask for: keep the fixed request.
            }
        }
    }
    ERR_clear_error();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes input(data, data + size);
    fuzz::refused_ok([&] {
        crypto::TimestampCheck check =
            crypto::check_timestamp_token(input, &data_bytes(), std::nullopt);
        (void)check.valid();
        (void)crypto::timestamp_imprint_algorithm(input);
    });
    fuzz::refused_ok([&] { (void)crypto::check_timestamp_response(input, request_for(input)); });
    return 0;
}
