#include "neac/crypto/validation_data.hpp"

#include "neac/crypto/chain.hpp"
#include "neac/net/http.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>

namespace neac::crypto {

namespace {

template <typename T> void add_unique(std::vector<T>& items, const T& item) {
    if (std::find(items.begin(), items.end(), item) == items.end())
        items.push_back(item);
}

} // namespace

void ValidationData::add(const Certificate& cert) {
    add_unique(certificates, cert);
}
void ValidationData::add_ocsp(const Bytes& der) {
    add_unique(ocsp_responses, der);
}
void ValidationData::add_crl(const Bytes& der) {
    add_unique(crls, der);
}

void ValidationData::merge(const ValidationData& other) {
    for (const Certificate& c : other.certificates)
        add(c);
    for (const Bytes& r : other.ocsp_responses)
        add_ocsp(r);
    for (const Bytes& c : other.crls)
        add_crl(c);
}

ValidationDataCollector::ValidationDataCollector(std::chrono::milliseconds timeout)
    : timeout_(timeout) {}

ValidationDataCollector::Known ValidationDataCollector::judge(
    const Certificate& cert, const Certificate& issuer, const std::vector<Certificate>& anchors,
    const std::vector<Certificate>& pool, std::chrono::system_clock::time_point at) {
    Known k;
    k.status.certificate = cert;
    std::vector<std::string> errors;
    // OCSP first: one small signed answer about this certificate alone.
    for (const std::string& url : ocsp_urls(cert)) {
        ++ocsp_requests_;
        auto der = fetch_ocsp(cert, issuer, url, timeout_, errors);
        if (!der)
            continue;
        std::vector<Certificate> responders = ocsp_response_certificates(*der);
        std::vector<Certificate> helpers = pool;
        helpers.insert(helpers.end(), responders.begin(), responders.end());
        RevocationResult r =
            check_revocation(cert, issuer, RevocationData{{*der}, {}}, anchors, helpers, at, "");
        if (r.status != RevocationStatus::Unknown) {
            k.status.result = r;
            k.data.add_ocsp(*der);
            for (const Certificate& c : responders)
                k.data.add(c);
            return k;
        }
        errors.push_back("OCSP responder " + net::redact_url(url) + ": " + r.detail);
    }
    // The CRL: fetched once per URL, then judged for each certificate it may list.
    for (const std::string& url : crl_urls(cert)) {
        auto cached = crl_by_url_.find(url);
        if (cached == crl_by_url_.end()) {
            ++crl_requests_;
            auto crl = fetch_crl(url, timeout_, errors);
            cached = crl_by_url_.emplace(url, crl ? *crl : Bytes{}).first;
        }
        if (cached->second.empty())
            continue;
        RevocationResult r = check_revocation(cert, issuer, RevocationData{{}, {cached->second}},
                                              anchors, pool, at, "");
        if (r.status != RevocationStatus::Unknown) {
            k.status.result = r;
            k.data.add_crl(cached->second);
            return k;
        }
        errors.push_back("CRL " + net::redact_url(url) + ": " + r.detail);
    }
    if (errors.empty())
        errors.push_back("it names no OCSP responder and no CRL distribution point");
    k.status.result.status = RevocationStatus::Unknown;
    k.status.result.detail = errors.front();
    for (std::size_t i = 1; i < errors.size() && i < 3; ++i)
        k.status.result.detail += "; " + errors[i];
    k.problem = "no usable revocation data for " + cert.common_name() + " (serial " +
                cert.serial_hex() + "): " + k.status.result.detail;
    return k;
}

ChainValidationData ValidationDataCollector::collect(const Certificate& leaf,
                                                     const std::vector<Certificate>& pool,
                                                     std::chrono::system_clock::time_point at) {
    ChainValidationData out;
    // The path, leaf first, as far as the pool allows.
    std::vector<Certificate> path{leaf};
    std::vector<Certificate> candidates = pool;
    while (path.size() < limits::kChainLength && !path.back().is_self_signed()) {
        Certificate issuer = find_issuer(path.back(), candidates);
        if (issuer.empty()) {
            // Not in the file nor given: where the certificate says its issuer is published.
            for (const std::string& url : ca_issuers_urls(path.back())) {
                auto fetched = issuers_by_url_.find(url);
                if (fetched == issuers_by_url_.end()) {
                    ++ca_requests_;
                    std::vector<std::string> errors;
                    fetched =
                        issuers_by_url_.emplace(url, fetch_ca_issuers(url, timeout_, errors)).first;
                }
                candidates.insert(candidates.end(), fetched->second.begin(), fetched->second.end());
                issuer = find_issuer(path.back(), candidates);
                if (!issuer.empty())
                    break;
            }
        }
        if (issuer.empty() || std::find(path.begin(), path.end(), issuer) != path.end())
            break;
        path.push_back(issuer);
    }
    for (const Certificate& c : path)
        out.data.add(c);
    // Responder signatures are checked up to the top of this path: the collector proves what
    // it embeds is consistent; whether that top is trusted is the verifier's decision.
    std::vector<Certificate> anchors{path.back()};
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        const Certificate& cert = path[i];
        auto known = by_fingerprint_.find(cert.fingerprint_sha256());
        if (known == by_fingerprint_.end())
            known = by_fingerprint_
                        .emplace(cert.fingerprint_sha256(),
                                 judge(cert, path[i + 1], anchors, candidates, at))
                        .first;
        out.data.merge(known->second.data);
        out.statuses.push_back(known->second.status);
        if (!known->second.problem.empty())
            out.problems.push_back(known->second.problem);
    }
    if (!path.back().is_self_signed())
        out.problems.push_back("the issuer of " + path.back().common_name() +
                               " is not available: its revocation data cannot be collected");
    return out;
}

} // namespace neac::crypto
