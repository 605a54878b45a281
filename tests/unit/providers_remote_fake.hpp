// Test support for the remote adapters: a transport that records requests and answers with canned
// responses, and the test PKI's signer key to make real signatures in those answers.
#pragma once

#include "neac/crypto/keys.hpp"
#include "neac/providers/remote_common.hpp"
#include "support/pki.hpp"

#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace neac::testing {

struct FakeTransport : providers::HttpTransport {
    struct Call {
        net::HttpRequest request;
        net::Repeat repeat;
        nlohmann::json body() const {
            return request.body.empty() ? nlohmann::json() : nlohmann::json::parse(request.body);
        }
    };
    std::vector<Call> calls;
    std::vector<std::string> secrets;
    // Answers by request; when unset, the queue is used in order.
    std::function<net::HttpResponse(const net::HttpRequest&)> handler;
    std::deque<net::HttpResponse> queue;

    net::HttpResponse send(const net::HttpRequest& request, net::Repeat repeat) override {
        calls.push_back({request, repeat});
        if (handler)
            return handler(request);
        if (queue.empty())
            throw std::runtime_error("FakeTransport: unexpected request " + request.url);
        net::HttpResponse r = queue.front();
        queue.pop_front();
        return r;
    }
    void add_secret(const std::string& value) override { secrets.push_back(value); }

    // The calls whose URL ends with `suffix`.
    std::vector<const Call*> to(const std::string& suffix) const {
        std::vector<const Call*> out;
        for (const auto& c : calls)
            if (c.request.url.size() >= suffix.size() &&
                c.request.url.compare(c.request.url.size() - suffix.size(), suffix.size(),
                                      suffix) == 0)
                out.push_back(&c);
        return out;
    }
};

inline net::HttpResponse json_answer(long status, const nlohmann::json& body) {
    net::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers["content-type"] = "application/json; charset=utf-8";
    return r;
}

inline net::HttpResponse text_answer(long status, const std::string& body,
                                     const std::string& type) {
    net::HttpResponse r;
    r.status = status;
    r.body = body;
    if (!type.empty())
        r.headers["content-type"] = type;
    return r;
}

inline crypto::Certificate pki_cert(const std::string& name) {
    return crypto::Certificate::load_all(pki_file(name + ".pem")).at(0);
}
inline crypto::PrivateKey pki_key(const std::string& name) {
    return crypto::PrivateKey::from_pem(read_file(pki_file(name + ".key")));
}
inline std::string b64_cert(const std::string& name) {
    return base64_encode(pki_cert(name).der());
}

// A batch of `n` SHA-256 digests for RSA PKCS#1 v1.5.
inline providers::SignBatch test_batch(std::size_t n) {
    providers::SignBatch b;
    b.algorithm = {crypto::SignatureScheme::RsaPkcs1v15, crypto::DigestAlgorithm::Sha256};
    b.message = "Ký " + std::to_string(n) + " tài liệu";
    for (std::size_t i = 0; i < n; ++i) {
        std::string name = "hồ-sơ-" + std::to_string(i + 1) + ".pdf";
        b.items.push_back({name, crypto::digest(crypto::DigestAlgorithm::Sha256, to_bytes(name))});
    }
    return b;
}

// Signatures of `batch` by the PKI signer `key_name` (RSA keys sign PKCS#1 v1.5).
inline std::vector<Bytes> sign_batch_with(const std::string& key_name,
                                          const providers::SignBatch& batch) {
    crypto::PrivateKey key = pki_key(key_name);
    std::vector<Bytes> out;
    for (const auto& item : batch.items)
        out.push_back(key.sign_digest(batch.algorithm, item.digest));
    return out;
}

} // namespace neac::testing
