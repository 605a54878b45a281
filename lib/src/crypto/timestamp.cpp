#include "neac/crypto/timestamp.hpp"

#include "crypto/der.hpp"
#include "crypto/ossl.hpp"
#include "neac/net/http.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>

namespace neac::crypto {

namespace {

Error ts_error(const std::string& what) {
    return ossl::error("timestamp response rejected: " + what, ErrorKind::Remote);
}

std::string status_text(long status) {
    switch (status) {
    case 0:
        return "granted";
    case 1:
        return "grantedWithMods";
    case 2:
        return "rejection";
    case 3:
        return "waiting";
    case 4:
        return "revocationWarning";
    case 5:
        return "revocationNotification";
    }
    return "unknown status " + std::to_string(status);
}

// The exact bytes of timeStampToken inside TimeStampResp ::= SEQUENCE { status, token OPTIONAL }.
// Re-encoding the parsed token could alter bytes the TSA signed, so slice it when the response is
// DER; fall back to OpenSSL's encoding otherwise.
Bytes token_bytes(const Bytes& response_der, TS_RESP* resp) {
    try {
        der::Element outer = der::parse_single(response_der);
        der::Reader r(outer);
        r.expect(der::kSequence, "PKIStatusInfo");
        return r.expect(der::kSequence, "timeStampToken").bytes();
    } catch (const Error&) {
        PKCS7* token = TS_RESP_get_token(resp);
        return ossl::i2d_bytes<PKCS7>(i2d_PKCS7, token, "timestamp token");
    }
}

void check_tsa_eku(X509* tsa) {
    int idx = X509_get_ext_by_NID(tsa, NID_ext_key_usage, -1);
    if (idx < 0)
        throw Error(ErrorKind::Remote,
                    "timestamp response rejected: the TSA certificate has no extended key usage");
    if (!X509_EXTENSION_get_critical(X509_get_ext(tsa, idx)))
        throw Error(ErrorKind::Remote, "timestamp response rejected: the TSA certificate's "
                                       "extended key usage is not critical (RFC 3161 §2.3)");
    if (!(X509_get_extended_key_usage(tsa) & XKU_TIMESTAMP))
        throw Error(ErrorKind::Remote, "timestamp response rejected: the TSA certificate is not "
                                       "allowed to time-stamp (no timeStamping usage)");
}

// The token's ESS signing-certificate(-v2) attribute must name the certificate that verified the
// signature; otherwise a token could be re-attributed to another TSA certificate.
void check_ess(CMS_ContentInfo* cms, X509* signer) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    ESS_SIGNING_CERT* v1 = nullptr;
    ESS_SIGNING_CERT_V2* v2 = nullptr;
    auto load = [&](int nid, auto d2i, auto** out) {
        ASN1_OBJECT* obj = OBJ_nid2obj(nid);
        ASN1_STRING* value =
            static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(si, obj, -3, V_ASN1_SEQUENCE));
        if (!value)
            return;
        const unsigned char* p = ASN1_STRING_get0_data(value);
        *out = d2i(nullptr, &p, ASN1_STRING_length(value));
    };
    load(NID_id_smime_aa_signingCertificate, d2i_ESS_SIGNING_CERT, &v1);
    load(NID_id_smime_aa_signingCertificateV2, d2i_ESS_SIGNING_CERT_V2, &v2);
    ossl::DeleteFnPtr<ESS_SIGNING_CERT, ESS_SIGNING_CERT_free> v1_owner(v1);
    ossl::DeleteFnPtr<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free> v2_owner(v2);
    ossl::X509StackPtr chain(sk_X509_new_null());
    if (!chain || !X509_up_ref(signer))
        throw ossl::error("out of memory", ErrorKind::Internal);
    if (!sk_X509_push(chain.get(), signer)) {
        X509_free(signer);
        throw ossl::error("out of memory", ErrorKind::Internal);
    }
    if (OSSL_ESS_check_signing_certs(v1, v2, chain.get(), 1) <= 0)
        throw ts_error("the token's signing-certificate attribute does not match its signer");
}

} // namespace

Bytes make_timestamp_request(DigestAlgorithm alg, const Bytes& imprint, const Bytes& nonce) {
    if (imprint.size() != digest_size(alg))
        throw Error(ErrorKind::Internal, "timestamp imprint has the wrong length");
    if (nonce.empty() || nonce.size() > 16)
        throw Error(ErrorKind::Internal, "timestamp nonce must be 1..16 bytes");
    ossl::TsReqPtr req(TS_REQ_new());
    ossl::TsMsgImprintPtr mi(TS_MSG_IMPRINT_new());
    ossl::X509AlgorPtr algor(X509_ALGOR_new());
    if (!req || !mi || !algor)
        throw ossl::error("out of memory", ErrorKind::Internal);
    // Absent parameters for SHA-2 (RFC 5754); some TSAs compare the AlgorithmIdentifier bytes.
    X509_ALGOR_set_md(algor.get(), ossl::md_for(alg));
    ossl::check_ossl(TS_MSG_IMPRINT_set_algo(mi.get(), algor.get()), "TS imprint algorithm",
                     ErrorKind::Internal);
    ossl::check_ossl(TS_MSG_IMPRINT_set_msg(mi.get(), const_cast<unsigned char*>(imprint.data()),
                                            static_cast<int>(imprint.size())),
                     "TS imprint", ErrorKind::Internal);
    ossl::check_ossl(TS_REQ_set_version(req.get(), 1), "TS version", ErrorKind::Internal);
    ossl::check_ossl(TS_REQ_set_msg_imprint(req.get(), mi.get()), "TS imprint",
                     ErrorKind::Internal);
    ossl::BignumPtr bn(BN_bin2bn(nonce.data(), static_cast<int>(nonce.size()), nullptr));
    ossl::Asn1IntegerPtr n(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!n)
        throw ossl::error("out of memory", ErrorKind::Internal);
    ossl::check_ossl(TS_REQ_set_nonce(req.get(), n.get()), "TS nonce", ErrorKind::Internal);
    ossl::check_ossl(TS_REQ_set_cert_req(req.get(), 1), "TS certReq", ErrorKind::Internal);
    return ossl::i2d_bytes<TS_REQ>(i2d_TS_REQ, req.get(), "timestamp request");
}

TimestampToken check_timestamp_response(const Bytes& response_der, const Bytes& request_der) {
    ossl::clear_errors();
    const unsigned char* rp = request_der.data();
    ossl::TsReqPtr req(d2i_TS_REQ(nullptr, &rp, static_cast<long>(request_der.size())));
    if (!req)
        throw ossl::error("malformed timestamp request", ErrorKind::Internal);

    if (response_der.empty())
        throw Error(ErrorKind::Remote, "timestamp response rejected: empty response");
    const unsigned char* p = response_der.data();
    ossl::TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
    if (!resp)
        throw ts_error("not a DER TimeStampResp");

    TS_STATUS_INFO* si = TS_RESP_get_status_info(resp.get());
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
    if (status != 0 && status != 1) {
        std::string text;
        const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(si);
        for (int i = 0; texts && i < sk_ASN1_UTF8STRING_num(texts); ++i) {
            const ASN1_UTF8STRING* t = sk_ASN1_UTF8STRING_value(texts, i);
            text += (text.empty() ? "" : "; ") +
                    std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                                static_cast<std::size_t>(ASN1_STRING_length(t)));
        }
        ossl::clear_errors();
        throw Error(ErrorKind::Remote, "the TSA refused the request: " + status_text(status) +
                                           (text.empty() ? "" : " (" + text + ")"));
    }
    if (!TS_RESP_get_token(resp.get()) || !TS_RESP_get_tst_info(resp.get()))
        throw ts_error("status granted but no token");

    // Version, imprint (algorithm and value) and nonce, compared with what we asked for. The
    // signature is checked below with CMS, without chain building (trust is the verifier's job).
    ossl::TsVerifyCtxPtr vctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
    if (!vctx)
        throw ossl::error("cannot prepare timestamp verification", ErrorKind::Internal);
    TS_VERIFY_CTX_set_flags(vctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (TS_RESP_verify_response(vctx.get(), resp.get()) != 1)
        throw ts_error("imprint, nonce or version do not match the request");

    TimestampToken out;
    out.der = token_bytes(response_der, resp.get());

    const unsigned char* tp = out.der.data();
    ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &tp, static_cast<long>(out.der.size())));
    if (!cms)
        throw ts_error("the token is not a CMS ContentInfo");
    if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_id_smime_ct_TSTInfo)
        throw ts_error("the token does not carry a TSTInfo");
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (sk_CMS_SignerInfo_num(infos) != 1)
        throw ts_error("the token must have exactly one signer");
    // CMS_NO_SIGNER_CERT_VERIFY: verify the signature and the content digest with the embedded
    // certificate, but do not build a chain to a trust anchor.
    if (CMS_verify(cms.get(), nullptr, nullptr, nullptr, nullptr,
                   CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1)
        throw ts_error("the token's signature does not verify with its certificate");
    ossl::X509StackPtr signers(CMS_get1_certs(cms.get()));
    X509* signer = nullptr;
    {
        STACK_OF(X509)* s = CMS_get0_signers(cms.get());
        if (!s || sk_X509_num(s) != 1)
            throw ts_error("the token does not carry its signer certificate");
        signer = sk_X509_value(s, 0);
        sk_X509_free(s);
    }
    check_tsa_eku(signer);
    check_ess(cms.get(), signer);

    // The TSTInfo we checked above is the one OpenSSL parsed from the same token bytes.
    TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
    std::tm tm{};
    if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm) != 1)
        throw ts_error("unreadable genTime");
    out.gen_time = clamped_time_point(timegm(&tm));

    Certificate tsa_cert =
        Certificate::from_der(ossl::i2d_bytes<X509>(i2d_X509, signer, "TSA certificate"));
    out.tsa_name = tsa_cert.subject();
    out.certificates.push_back(tsa_cert);
    for (int i = 0; signers && i < sk_X509_num(signers.get()); ++i) {
        Certificate c = Certificate::from_der(
            ossl::i2d_bytes<X509>(i2d_X509, sk_X509_value(signers.get(), i), "certificate"));
        if (!(c == tsa_cert))
            out.certificates.push_back(std::move(c));
    }
    if (ossl::BignumPtr bn{ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(info), nullptr)}) {
        char* hex = BN_bn2hex(bn.get());
        if (hex) {
            out.serial_hex = hex;
            OPENSSL_free(hex);
        }
    }
    if (ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(info)) {
        char buf[128];
        if (OBJ_obj2txt(buf, sizeof buf, policy, 1) > 0)
            out.policy_oid = buf;
    }
    ossl::clear_errors();
    return out;
}

TimestampToken request_timestamp(const TimestampOptions& options, DigestAlgorithm alg,
                                 const Bytes& data) {
    return request_timestamp_for_imprint(options, alg, digest(alg, data));
}

TimestampToken request_timestamp_for_imprint(const TimestampOptions& options, DigestAlgorithm alg,
                                             const Bytes& imprint) {
    if (options.url.empty())
        throw Error(ErrorKind::BadInput, "no timestamp server URL configured");
    Bytes nonce(8);
    if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
        throw ossl::error("no randomness for the timestamp nonce", ErrorKind::Internal);
    nonce[0] &= 0x7F; // keep it positive and of a fixed width in logs
    nonce[0] |= 0x01;
    Bytes request = make_timestamp_request(alg, imprint, nonce);

    net::HttpRequest http;
    http.method = "POST";
    http.url = options.url;
    http.headers = options.headers;
    http.headers.emplace_back("Content-Type", "application/timestamp-query");
    http.headers.emplace_back("Accept", "application/timestamp-reply");
    http.body.assign(request.begin(), request.end());
    http.ca_bundle = options.ca_bundle;
    http.total_timeout = options.timeout;
    http.connect_timeout = std::min(options.timeout, limits::kConnectTimeout);
    http.max_response_size = limits::kTimestampResponseBytes; // a token is a few KB
    net::HttpResponse response = net::perform(http);
    if (response.status != 200)
        throw Error(ErrorKind::Remote, "timestamp server " + net::redact_url(options.url) +
                                           " answered HTTP " + std::to_string(response.status))
            .hint("check the TSA URL and whether it needs credentials");
    try {
        return check_timestamp_response(to_bytes(response.body), request);
    } catch (Error& e) {
        e.hint("timestamp server: " + net::redact_url(options.url));
        throw;
    }
}

} // namespace neac::crypto
