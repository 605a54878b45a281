// What the four remote-provider targets (fuzz_provider_*.cpp) share: a transport that answers
// every request with the fuzzed HTTP answer, and a real signing certificate with a batch and its
// transaction state, so that a provider can be driven through its whole response handling
// (HTTP status and error envelopes, JSON, the parsers, certificate choice, signature checks)
// without a network.
#pragma once

#include "harness.hpp"

#include "neac/crypto/digest.hpp"
#include "neac/net/retry.hpp"
#include "neac/providers/provider.hpp"
#include "neac/providers/remote_common.hpp"

#include <cstdlib>
#include <memory>
#include <vector>

namespace neac::fuzz {

// Answers every request with `answer`, after the real transport's handling of it (retry status
// and Retry-After, Redactor::redact_body as it logs the body; secrets are scrubbed with the
// library's own redactor). A provider
// that keeps asking after kMaxCalls gets Error(Remote), so no input can make it loop.
class AnswerTransport final : public providers::HttpTransport {
public:
    static constexpr int kMaxCalls = 16;
    explicit AnswerTransport(net::HttpResponse answer) : answer_(std::move(answer)) {}

    net::HttpResponse send(const net::HttpRequest& /*request*/, net::Repeat /*repeat*/) override {
        if (++calls_ > kMaxCalls)
            throw remote_error("fuzz transport: too many requests");
        // What CurlTransport does with an answer before the adapter sees it.
        retry_handling(answer_);
        (void)redactor_.redact_body(answer_.body);
        return answer_;
    }
    void add_secret(const std::string& value) override { redactor_.add(value); }
    std::string scrub(std::string text) const override { return redactor_.scrub(std::move(text)); }

private:
    net::HttpResponse answer_;
    net::Redactor redactor_;
    int calls_ = 0;
};

// The CCCD every provider config and seed uses (tests/sim/provider_sim.cpp uses it too).
inline constexpr const char* kAccount = "001099012345";

// A signer certificate of the embedded sandbox CA (made once, in the scratch folder) and a batch
// of two digests signed by nobody: enough for batch_state() and for the signature checks.
struct SignerFixture {
    providers::SigningCertificate cert;
    providers::SignBatch batch;
};

inline const SignerFixture& signer_fixture() {
    static const SignerFixture f = [] {
        providers::ProviderConfig config;
        config.provider = "sandbox";
        config.account = kAccount;
        config.display_name = "NGUYỄN VĂN A";
        config.home = scratch() / "home";
        std::filesystem::create_directories(config.home);
        SignerFixture out;
        out.cert = providers::make_provider(config)->signing_certificate();
        out.batch.algorithm = {crypto::SignatureScheme::RsaPkcs1v15,
                               crypto::DigestAlgorithm::Sha256};
        out.batch.message = "Ký 2 tài liệu";
        for (const char* name : {"to-khai.pdf", "don.pdf"})
            out.batch.items.push_back(
                {name, crypto::digest(crypto::DigestAlgorithm::Sha256, to_bytes(name))});
        return out;
    }();
    return f;
}

// A provider config for `provider` whose secrets come from variables this process sets.
inline providers::ProviderConfig remote_config(const std::string& provider,
                                               std::map<std::string, std::string> settings) {
    ::setenv("NEAC_FUZZ_SECRET_A", "fuzz-secret-alpha", 1);
    ::setenv("NEAC_FUZZ_SECRET_B", "fuzz-secret-bravo", 1);
    providers::ProviderConfig c;
    c.provider = provider;
    c.account = kAccount;
    c.display_name = "NGUYỄN VĂN A";
    c.settings = std::move(settings);
    c.settings["endpoint"] = "https://ca.invalid/api";
    c.home = scratch() / "home";
    c.otp = "123456"; // MISA's two-factor step, when an answer asks for it
    return c;
}

// A pending transaction of the fixture's batch, as submit() would have recorded it, with the
// provider's own keys added by the caller.
inline providers::Transaction pending_transaction(const std::string& id) {
    const SignerFixture& f = signer_fixture();
    providers::Transaction t;
    t.id = id;
    t.created = std::chrono::system_clock::now();
    t.expires = t.created + std::chrono::minutes(5);
    t.message = f.batch.message;
    t.state = providers::remote::batch_state(f.batch, f.cert);
    return t;
}

// Drives a provider of type P whose every request gets `answer` through its whole response
// handling: certificate listing and choice, submit then poll, and a poll of each of `pending`
// (transactions a run left waiting, with the provider's own state keys).
template <class P>
void drive_provider(const providers::ProviderConfig& config, const net::HttpResponse& answer,
                    const std::vector<providers::Transaction>& pending) {
    auto provider = [&] {
        return std::make_unique<P>(config, std::make_shared<AnswerTransport>(answer));
    };
    refused_ok([&] { (void)provider()->list_certificates(); });
    refused_ok([&] {
        auto p = provider();
        providers::Transaction txn = p->submit(signer_fixture().batch);
        (void)p->poll(txn);
    });
    for (const providers::Transaction& t : pending)
        refused_ok([&] {
            providers::Transaction txn = t;
            (void)provider()->poll(txn);
        });
}

} // namespace neac::fuzz
