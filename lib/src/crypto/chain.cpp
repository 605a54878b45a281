#include "neac/crypto/chain.hpp"

#include "crypto/ossl.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <openssl/err.h>

#include <algorithm>

namespace neac::crypto {

std::vector<Certificate> load_certificates(const std::filesystem::path& file_or_dir) {
    std::error_code ec;
    if (std::filesystem::is_directory(file_or_dir, ec)) {
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(file_or_dir, ec)) {
            std::string ext = entry.path().extension().string();
            std::transform(ext.begin(), ext.end(), ext.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (entry.is_regular_file() &&
                (ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der"))
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        std::vector<Certificate> out;
        for (const auto& f : files) {
            // A folder of PKI material also holds keys and CRLs: skip what is no certificate.
            try {
                std::vector<Certificate> some = Certificate::load_all(f);
                out.insert(out.end(), some.begin(), some.end());
            } catch (const Error&) {
            }
        }
        if (out.empty())
            throw input_error("no certificate files (*.pem, *.crt, *.cer, *.der) in the folder")
                .file(file_or_dir.string());
        return out;
    }
    return Certificate::load_all(file_or_dir);
}

const char* chain_status_name(ChainStatus status) {
    switch (status) {
    case ChainStatus::Valid:
        return "valid";
    case ChainStatus::NoAnchors:
        return "no_trust_anchors";
    case ChainStatus::NoPath:
        return "no_path";
    case ChainStatus::OutOfValidity:
        return "out_of_validity";
    case ChainStatus::Invalid:
        return "invalid";
    }
    return "invalid";
}

namespace {

ossl::X509StackPtr to_stack(const std::vector<Certificate>& certs) {
    ossl::X509StackPtr stack(sk_X509_new_null());
    if (!stack)
        throw ossl::error("out of memory", ErrorKind::Internal);
    for (const Certificate& c : certs) {
        X509* x = c.get();
        if (X509_up_ref(x) != 1 || sk_X509_push(stack.get(), x) <= 0)
            throw ossl::error("out of memory", ErrorKind::Internal);
    }
    return stack;
}

ChainStatus classify(int err) {
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return ChainStatus::OutOfValidity;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return ChainStatus::NoPath;
    default:
        return ChainStatus::Invalid;
    }
}

} // namespace

ChainResult validate_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                           const std::vector<Certificate>& anchors,
                           std::chrono::system_clock::time_point at) {
    ChainResult out;
    if (anchors.empty()) {
        out.status = ChainStatus::NoAnchors;
        out.detail = "no trust anchor given (use --trust)";
        return out;
    }
    ossl::clear_errors();
    ossl::X509StorePtr store(X509_STORE_new());
    if (!store)
        throw ossl::error("out of memory", ErrorKind::Internal);
    for (const Certificate& a : anchors)
        if (X509_STORE_add_cert(store.get(), a.get()) != 1)
            ossl::clear_errors(); // duplicates are harmless
    ossl::X509StackPtr pool = to_stack(untrusted);
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), pool.get()) != 1)
        throw ossl::error("cannot prepare certificate verification", ErrorKind::Internal);
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
    // OpenSSL's depth counts the CA certificates between the leaf and the anchor.
    X509_STORE_CTX_set_depth(ctx.get(), limits::kChainLength - 2);
    int ok = X509_verify_cert(ctx.get());
    if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get())) {
        for (int i = 0; i < sk_X509_num(chain); ++i)
            out.path.push_back(Certificate::from_der(
                ossl::i2d_bytes<X509>(i2d_X509, sk_X509_value(chain, i), "certificate")));
    }
    if (ok == 1) {
        out.status = ChainStatus::Valid;
    } else {
        int err = X509_STORE_CTX_get_error(ctx.get());
        out.status = classify(err);
        out.detail = X509_verify_cert_error_string(err);
        if (X509* bad = X509_STORE_CTX_get_current_cert(ctx.get())) {
            char buf[256];
            X509_NAME_oneline(X509_get_subject_name(bad), buf, sizeof buf);
            out.detail += std::string(" (") + buf + ")";
        }
    }
    ossl::clear_errors();
    return out;
}

bool allows_document_signing(const Certificate& cert) {
    std::uint32_t ku = X509_get_key_usage(cert.get());
    if (ku == UINT32_MAX)
        return true;
    return (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

std::string validity_iso(const Certificate& cert, bool not_after) {
    const ASN1_TIME* t =
        not_after ? X509_get0_notAfter(cert.get()) : X509_get0_notBefore(cert.get());
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ossl::clear_errors();
        return "";
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

Certificate find_issuer(const Certificate& cert, const std::vector<Certificate>& pool) {
    for (const Certificate& c : pool) {
        if (c == cert && !cert.is_self_signed())
            continue;
        if (X509_check_issued(c.get(), cert.get()) != X509_V_OK)
            continue;
        EVP_PKEY* key = X509_get0_pubkey(c.get());
        if (key && X509_verify(cert.get(), key) == 1) {
            ossl::clear_errors();
            return c;
        }
    }
    ossl::clear_errors();
    return Certificate();
}

} // namespace neac::crypto
