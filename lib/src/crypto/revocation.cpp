#include "neac/crypto/revocation.hpp"

#include "crypto/ossl.hpp"
#include "neac/net/http.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace neac::crypto {

const char* revocation_status_name(RevocationStatus status) {
    switch (status) {
    case RevocationStatus::Good:
        return "good";
    case RevocationStatus::Revoked:
        return "revoked";
    case RevocationStatus::Unknown:
        return "unknown";
    }
    return "unknown";
}

namespace {

using OcspResponsePtr = ossl::DeleteFnPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicPtr = ossl::DeleteFnPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = ossl::DeleteFnPtr<OCSP_CERTID, OCSP_CERTID_free>;
using OcspRequestPtr = ossl::DeleteFnPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using X509CrlPtr = ossl::DeleteFnPtr<X509_CRL, X509_CRL_free>;

// Clock skew tolerated between the responder, the signer and us.
constexpr long kSlackSeconds = 300;

std::optional<std::time_t> to_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return std::nullopt;
    return timegm(&tm);
}

const char* crl_reason_name(int reason) {
    switch (reason) {
    case OCSP_REVOKED_STATUS_UNSPECIFIED:
        return "unspecified";
    case OCSP_REVOKED_STATUS_KEYCOMPROMISE:
        return "keyCompromise";
    case OCSP_REVOKED_STATUS_CACOMPROMISE:
        return "cACompromise";
    case OCSP_REVOKED_STATUS_AFFILIATIONCHANGED:
        return "affiliationChanged";
    case OCSP_REVOKED_STATUS_SUPERSEDED:
        return "superseded";
    case OCSP_REVOKED_STATUS_CESSATIONOFOPERATION:
        return "cessationOfOperation";
    case OCSP_REVOKED_STATUS_CERTIFICATEHOLD:
        return "certificateHold";
    case OCSP_REVOKED_STATUS_REMOVEFROMCRL:
        return "removeFromCRL";
    default:
        return "";
    }
}

// A good answer about [this_update, next_update] says something about `at` when `at` lies in
// the period, or when it was produced after `at` (the certificate was not revoked then either).
bool covers(std::time_t at, std::optional<std::time_t> this_update,
            std::optional<std::time_t> next_update) {
    if (!this_update)
        return false;
    if (*this_update + kSlackSeconds >= at)
        return true;
    return next_update && at <= *next_update + kSlackSeconds;
}

ossl::X509StackPtr to_stack(const std::vector<Certificate>& certs) {
    ossl::X509StackPtr stack(sk_X509_new_null());
    for (const Certificate& c : certs) {
        X509* x = c.get();
        if (X509_up_ref(x) == 1 && sk_X509_push(stack.get(), x) <= 0)
            X509_free(x);
    }
    return stack;
}

// Checks one OCSP response. Returns nullopt when it says nothing about `cert`.
std::optional<RevocationResult> judge_ocsp(const Bytes& der, const Certificate& cert,
                                           const Certificate& issuer,
                                           const std::vector<Certificate>& anchors,
                                           const std::vector<Certificate>& pool, std::time_t at,
                                           std::string& why) {
    const unsigned char* p = der.data();
    OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!resp) {
        why = "malformed OCSP response";
        return std::nullopt;
    }
    if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        why = std::string("OCSP responder answered ") +
              OCSP_response_status_str(OCSP_response_status(resp.get()));
        return std::nullopt;
    }
    OcspBasicPtr basic(OCSP_response_get1_basic(resp.get()));
    if (!basic) {
        why = "OCSP response without a basic response";
        return std::nullopt;
    }
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *revtime = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    bool found = false;
    for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
        OcspCertIdPtr id(OCSP_cert_to_id(md, cert.get(), issuer.get()));
        if (id && OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revtime, &thisupd,
                                        &nextupd) == 1) {
            found = true;
            break;
        }
    }
    if (!found) {
        why = "no OCSP answer for this certificate";
        return std::nullopt;
    }
    // The response signature, and the responder's authority: the issuer itself, or a delegated
    // responder it certified (OpenSSL checks the OCSPSigning usage and the issuer match).
    ossl::X509StorePtr store(X509_STORE_new());
    for (const Certificate& a : anchors)
        if (X509_STORE_add_cert(store.get(), a.get()) != 1)
            ossl::clear_errors();
    if (X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get()))
        X509_VERIFY_PARAM_set_time(param, at);
    std::vector<Certificate> helpers = pool;
    helpers.push_back(issuer);
    ossl::X509StackPtr certs = to_stack(helpers);
    if (OCSP_basic_verify(basic.get(), certs.get(), store.get(), 0) != 1) {
        why = "OCSP response signature or responder not trusted: " + ossl::drain_errors();
        return std::nullopt;
    }
    RevocationResult out;
    auto tu = to_time(thisupd);
    auto nu = to_time(nextupd);
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
        out.status = RevocationStatus::Revoked;
        if (auto rt = to_time(revtime))
            out.revoked_at = clamped_time_point(*rt);
        out.reason = crl_reason_name(reason);
        return out;
    }
    if (status == V_OCSP_CERTSTATUS_GOOD && covers(at, tu, nu)) {
        out.status = RevocationStatus::Good;
        return out;
    }
    why = status == V_OCSP_CERTSTATUS_GOOD ? "OCSP answer too old for the validation time"
                                           : "OCSP responder does not know the certificate";
    return std::nullopt;
}

X509CrlPtr parse_crl(const Bytes& data) {
    const unsigned char* p = data.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
    if (!crl) {
        ossl::clear_errors();
        ossl::BioPtr bio = ossl::mem_bio(data.data(), data.size());
        crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    }
    ossl::clear_errors();
    return crl;
}

std::optional<RevocationResult> judge_crl(const Bytes& data, const Certificate& cert,
                                          const Certificate& issuer, std::time_t at,
                                          std::string& why) {
    X509CrlPtr crl = parse_crl(data);
    if (!crl) {
        why = "malformed CRL";
        return std::nullopt;
    }
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.get())) != 0)
        return std::nullopt; // another CA's list
    EVP_PKEY* key = X509_get0_pubkey(issuer.get());
    if (!key || X509_CRL_verify(crl.get(), key) != 1) {
        why = "CRL signature does not verify with the issuer's key";
        ossl::clear_errors();
        return std::nullopt;
    }
    RevocationResult out;
    X509_REVOKED* revoked = nullptr;
    if (X509_CRL_get0_by_cert(crl.get(), &revoked, cert.get()) == 1 && revoked) {
        out.status = RevocationStatus::Revoked;
        if (auto rt = to_time(X509_REVOKED_get0_revocationDate(revoked)))
            out.revoked_at = clamped_time_point(*rt);
        int crit = 0;
        ASN1_ENUMERATED* reason = static_cast<ASN1_ENUMERATED*>(
            X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, &crit, nullptr));
        if (reason) {
            out.reason = crl_reason_name(static_cast<int>(ASN1_ENUMERATED_get(reason)));
            ASN1_ENUMERATED_free(reason);
        }
        ossl::clear_errors();
        return out;
    }
    if (covers(at, to_time(X509_CRL_get0_lastUpdate(crl.get())),
               to_time(X509_CRL_get0_nextUpdate(crl.get())))) {
        out.status = RevocationStatus::Good;
        return out;
    }
    why = "CRL too old for the validation time";
    return std::nullopt;
}

} // namespace

RevocationResult
check_revocation(const Certificate& cert, const Certificate& issuer, const RevocationData& data,
                 const std::vector<Certificate>& anchors, const std::vector<Certificate>& pool,
                 std::chrono::system_clock::time_point at, const std::string& source_label) {
    ossl::clear_errors();
    RevocationResult out;
    std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::string why;
    std::optional<RevocationResult> good;
    for (const Bytes& r : data.ocsp_responses) {
        auto res = judge_ocsp(r, cert, issuer, anchors, pool, t, why);
        if (!res)
            continue;
        res->source = "OCSP" + source_label;
        if (res->status == RevocationStatus::Revoked)
            return *res;
        good = res;
    }
    for (const Bytes& c : data.crls) {
        auto res = judge_crl(c, cert, issuer, t, why);
        if (!res)
            continue;
        res->source = "CRL" + source_label;
        if (res->status == RevocationStatus::Revoked)
            return *res;
        if (!good)
            good = res;
    }
    ossl::clear_errors();
    if (good)
        return *good;
    out.status = RevocationStatus::Unknown;
    out.detail = why.empty() ? "no revocation data" + source_label : why;
    return out;
}

std::vector<std::string> ocsp_urls(const Certificate& cert) {
    std::vector<std::string> out;
    if (STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert.get())) {
        for (int i = 0; i < sk_OPENSSL_STRING_num(urls); ++i)
            out.emplace_back(sk_OPENSSL_STRING_value(urls, i));
        X509_email_free(urls);
    }
    ossl::clear_errors();
    return out;
}

std::vector<std::string> crl_urls(const Certificate& cert) {
    // Full names only, URIs only, over HTTP(S).
    int crit = 0;
    STACK_OF(DIST_POINT)* dps = static_cast<STACK_OF(DIST_POINT)*>(
        X509_get_ext_d2i(cert.get(), NID_crl_distribution_points, &crit, nullptr));
    std::vector<std::string> out;
    for (int i = 0; dps && i < sk_DIST_POINT_num(dps); ++i) {
        DIST_POINT* dp = sk_DIST_POINT_value(dps, i);
        if (!dp->distpoint || dp->distpoint->type != 0)
            continue;
        GENERAL_NAMES* names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type != GEN_URI)
                continue;
            std::string url(
                reinterpret_cast<const char*>(
                    ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)),
                static_cast<std::size_t>(ASN1_STRING_length(gn->d.uniformResourceIdentifier)));
            if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
                out.push_back(std::move(url));
        }
    }
    if (dps)
        sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    ossl::clear_errors();
    return out;
}

std::vector<std::string> ca_issuers_urls(const Certificate& cert) {
    std::vector<std::string> out;
    auto* info = static_cast<AUTHORITY_INFO_ACCESS*>(
        X509_get_ext_d2i(cert.get(), NID_info_access, nullptr, nullptr));
    for (int i = 0; info && i < sk_ACCESS_DESCRIPTION_num(info); ++i) {
        ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(info, i);
        if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI)
            continue;
        const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
        std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                        static_cast<std::size_t>(ASN1_STRING_length(uri)));
        if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
            out.push_back(std::move(url));
    }
    if (info)
        AUTHORITY_INFO_ACCESS_free(info);
    ossl::clear_errors();
    return out;
}

std::vector<Certificate> fetch_ca_issuers(const std::string& url, std::chrono::milliseconds timeout,
                                          std::vector<std::string>& errors) {
    net::HttpRequest http;
    http.url = url;
    http.total_timeout = timeout;
    http.connect_timeout = timeout;
    http.max_response_size = limits::kPemFileBytes;
    std::vector<Certificate> out;
    try {
        net::HttpResponse resp = net::perform(http);
        if (resp.status != 200) {
            errors.push_back("CA certificate " + net::redact_url(url) + ": HTTP " +
                             std::to_string(resp.status));
            return out;
        }
        Bytes body = to_bytes(resp.body);
        try {
            out.push_back(Certificate::from_der(body));
            return out;
        } catch (const Error&) {
        }
        try {
            return Certificate::from_pem(resp.body);
        } catch (const Error&) {
        }
        const unsigned char* p = body.data();
        PKCS7* p7 = d2i_PKCS7(nullptr, &p, static_cast<long>(body.size()));
        if (p7 && PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->cert) {
            for (int i = 0; i < sk_X509_num(p7->d.sign->cert); ++i) {
                Bytes der = ossl::i2d_bytes<X509>(i2d_X509, sk_X509_value(p7->d.sign->cert, i),
                                                  "CA certificate");
                out.push_back(Certificate::from_der(der));
            }
        }
        if (p7)
            PKCS7_free(p7);
        if (out.empty())
            errors.push_back("CA certificate " + net::redact_url(url) +
                             ": not a certificate (DER, PEM or PKCS#7)");
    } catch (const Error& e) {
        errors.push_back(e.what());
    }
    ossl::clear_errors();
    return out;
}

std::optional<Bytes> fetch_ocsp(const Certificate& cert, const Certificate& issuer,
                                const std::string& url, std::chrono::milliseconds timeout,
                                std::vector<std::string>& errors) {
    ossl::clear_errors();
    OcspRequestPtr req(OCSP_REQUEST_new());
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert.get(), issuer.get());
    if (!req || !id || !OCSP_request_add0_id(req.get(), id) ||
        OCSP_request_add1_nonce(req.get(), nullptr, -1) != 1) {
        errors.push_back("cannot build an OCSP request: " + ossl::drain_errors());
        return std::nullopt;
    }
    Bytes body = ossl::i2d_bytes<OCSP_REQUEST>(i2d_OCSP_REQUEST, req.get(), "OCSP request");
    net::HttpRequest http;
    http.method = "POST";
    http.url = url;
    http.headers = {{"Content-Type", "application/ocsp-request"},
                    {"Accept", "application/ocsp-response"}};
    http.body.assign(body.begin(), body.end());
    http.total_timeout = timeout;
    http.connect_timeout = timeout;
    http.max_response_size = limits::kOcspResponseBytes;
    try {
        net::HttpResponse resp = net::perform(http);
        if (resp.status != 200) {
            errors.push_back("OCSP responder " + net::redact_url(url) + " answered HTTP " +
                             std::to_string(resp.status));
            return std::nullopt;
        }
        Bytes der = to_bytes(resp.body);
        const unsigned char* p = der.data();
        OcspResponsePtr parsed(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
        OcspBasicPtr basic(parsed ? OCSP_response_get1_basic(parsed.get()) : nullptr);
        // A replayed answer must not pass for a fresh one: the nonce must come back (or be
        // absent, as some responders with pre-produced answers do).
        if (basic && OCSP_check_nonce(req.get(), basic.get()) == 0) {
            errors.push_back("OCSP responder " + net::redact_url(url) +
                             " returned a different nonce");
            ossl::clear_errors();
            return std::nullopt;
        }
        ossl::clear_errors();
        return der;
    } catch (const Error& e) {
        errors.push_back(e.what());
    }
    ossl::clear_errors();
    return std::nullopt;
}

std::optional<Bytes> fetch_crl(const std::string& url, std::chrono::milliseconds timeout,
                               std::vector<std::string>& errors) {
    net::HttpRequest http;
    http.url = url;
    http.total_timeout = timeout;
    http.connect_timeout = timeout;
    http.max_response_size = limits::kCrlResponseBytes;
    try {
        net::HttpResponse resp = net::perform(http);
        if (resp.status == 200)
            return to_bytes(resp.body);
        errors.push_back("CRL " + net::redact_url(url) + ": HTTP " + std::to_string(resp.status));
    } catch (const Error& e) {
        errors.push_back(e.what());
    }
    return std::nullopt;
}

RevocationData fetch_revocation(const Certificate& cert, const Certificate& issuer,
                                const OnlineOptions& options, std::vector<std::string>& errors) {
    RevocationData out;
    std::vector<std::string> responders =
        options.ocsp_url.empty() ? ocsp_urls(cert) : std::vector<std::string>{options.ocsp_url};
    for (const std::string& url : responders) {
        if (auto der = fetch_ocsp(cert, issuer, url, options.timeout, errors)) {
            out.ocsp_responses.push_back(std::move(*der));
            return out;
        }
    }
    std::vector<std::string> lists = crl_urls(cert);
    for (const std::string& url : lists)
        if (auto crl = fetch_crl(url, options.timeout, errors))
            out.crls.push_back(std::move(*crl));
    if (responders.empty() && lists.empty())
        errors.push_back("the certificate names no OCSP responder and no CRL distribution point");
    return out;
}

std::vector<Certificate> ocsp_response_certificates(const Bytes& der) {
    std::vector<Certificate> out;
    const unsigned char* p = der.data();
    OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    OcspBasicPtr basic(resp ? OCSP_response_get1_basic(resp.get()) : nullptr);
    if (basic) {
        const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
        for (int i = 0; i < sk_X509_num(certs); ++i) {
            Bytes der_cert = ossl::i2d_bytes<X509>(i2d_X509, sk_X509_value(certs, i),
                                                   "OCSP responder certificate");
            try {
                out.push_back(Certificate::from_der(der_cert));
            } catch (const Error&) {
                // A responder certificate neac cannot read is one it need not keep.
            }
        }
    }
    ossl::clear_errors();
    return out;
}

} // namespace neac::crypto
