// Checking RFC 3161 timestamp tokens: the TSTInfo, its message imprint, the token's SignerInfo
// and the TSA certificate's extended key usage.
#include "crypto/cms_algorithms.hpp"
#include "crypto/ossl.hpp"
#include "neac/crypto/cms_verify.hpp"

namespace neac::crypto {

using detail::asn1_time;
using detail::obj_text;
using detail::octets;

std::optional<DigestSpec> timestamp_imprint_algorithm(const Bytes& token) {
    std::string error;
    std::optional<SignedData> sd = SignedData::parse(token, error);
    if (!sd || sd->detached())
        return std::nullopt;
    const Bytes& content = sd->econtent();
    const unsigned char* p = content.data();
    ossl::TsTstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(content.size())));
    ossl::clear_errors();
    if (!info)
        return std::nullopt;
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()));
    return digest_spec_from_oid(alg ? obj_text(alg->algorithm) : "");
}

TimestampCheck check_timestamp_token(const Bytes& token, const Bytes* data,
                                     const std::optional<Bytes>& data_digest,
                                     const std::vector<Certificate>& extra_certs) {
    TimestampCheck out;
    std::optional<SignedData> sd = SignedData::parse(token, out.error);
    if (!sd)
        return out;
    if (sd->econtent_type() != "1.2.840.113549.1.9.16.1.4" || sd->detached()) {
        out.error = "the token does not encapsulate a TSTInfo";
        return out;
    }
    if (sd->signer_count() != 1) {
        out.error = "a timestamp token must have exactly one SignerInfo";
        return out;
    }
    const Bytes& content = sd->econtent();
    const unsigned char* p = content.data();
    ossl::TsTstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(content.size())));
    if (!info) {
        out.error = "malformed TSTInfo: " + ossl::drain_errors();
        return out;
    }
    out.parsed = true;
    TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info.get());
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(mi);
    out.imprint_algorithm = digest_spec_from_oid(alg ? obj_text(alg->algorithm) : "");
    out.imprint = octets(TS_MSG_IMPRINT_get_msg(mi));
    if (auto t = asn1_time(TS_TST_INFO_get_time(info.get())))
        out.gen_time = *t;
    else {
        out.parsed = false;
        out.error = "unreadable genTime";
        return out;
    }
    if (ossl::BignumPtr bn{ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(info.get()), nullptr)}) {
        if (char* hex = BN_bn2hex(bn.get())) {
            out.serial_hex = hex;
            OPENSSL_free(hex);
        }
    }
    out.policy_oid = obj_text(TS_TST_INFO_get_policy_id(info.get()));

    Bytes expected;
    if (data_digest)
        expected = *data_digest;
    else if (data)
        expected = digest_any(out.imprint_algorithm, data->data(), data->size());
    out.imprint_ok = !expected.empty() && expected == out.imprint;
    if (!out.imprint_ok)
        out.error = "the token's message imprint does not match the time-stamped data";

    DigestSpec sd_digest = sd->signer_digest(0);
    Bytes content_digest = digest_any(sd_digest, content.data(), content.size());
    out.signer = sd->check_signer(0, content_digest, extra_certs);
    out.certificates = sd->certificates();
    if (!out.signer.signer.empty()) {
        X509* tsa = out.signer.signer.get();
        int idx = X509_get_ext_by_NID(tsa, NID_ext_key_usage, -1);
        out.tsa_eku_ok = idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(tsa, idx)) &&
                         (X509_get_extended_key_usage(tsa) & XKU_TIMESTAMP);
        if (!out.tsa_eku_ok && out.error.empty())
            out.error = "the TSA certificate lacks the critical timeStamping extended key usage";
    }
    if (out.error.empty() && !out.signer.problems.empty())
        out.error = out.signer.problems.front();
    ossl::clear_errors();
    return out;
}

} // namespace neac::crypto
