#include "neac/providers/provider.hpp"

#include "neac/providers/csc.hpp"
#include "neac/providers/misa_esign.hpp"
#include "neac/providers/pkcs12.hpp"
#include "neac/providers/sandbox.hpp"
#include "neac/providers/viettel_mysign.hpp"
#include "neac/providers/vnpt_smartca.hpp"
#include "neac/util/error.hpp"

namespace neac::providers {

const char* transaction_state_name(TransactionState state) {
    switch (state) {
    case TransactionState::Pending:
        return "pending";
    case TransactionState::Approved:
        return "approved";
    case TransactionState::Rejected:
        return "rejected";
    case TransactionState::Expired:
        return "expired";
    case TransactionState::Failed:
        return "failed";
    }
    return "failed";
}

namespace {

// Every error and explanation a provider passes up is built in part from a server's answer, and a
// careless server echoes the request, credentials included: they leave the provider only with
// its secrets replaced by "***", on every path (the message, the hint, a poll's detail).
class ScrubbedProvider final : public Provider {
public:
    explicit ScrubbedProvider(std::unique_ptr<Provider> inner) : inner_(std::move(inner)) {}

    std::string id() const override { return inner_->id(); }
    SigningCertificate signing_certificate() override {
        return guarded([&] { return inner_->signing_certificate(); });
    }
    std::size_t batch_cap() const override { return inner_->batch_cap(); }
    Transaction submit(const SignBatch& batch) override {
        return guarded([&] { return inner_->submit(batch); });
    }
    PollResult poll(const Transaction& txn) override {
        PollResult r = guarded([&] { return inner_->poll(txn); });
        r.detail = inner_->scrub(std::move(r.detail));
        return r;
    }
    void cancel(const Transaction& txn) override {
        guarded([&] {
            inner_->cancel(txn);
            return 0;
        });
    }
    bool can_cancel() const override { return inner_->can_cancel(); }
    std::vector<SigningCertificate> list_certificates() override {
        return guarded([&] { return inner_->list_certificates(); });
    }
    std::string scrub(std::string text) const override { return inner_->scrub(std::move(text)); }

private:
    template <class Fn> auto guarded(Fn&& fn) -> decltype(fn()) {
        try {
            return fn();
        } catch (const Error& e) {
            Error clean(e.kind(), inner_->scrub(e.what()));
            if (!e.hint().empty())
                clean.hint(inner_->scrub(e.hint()));
            if (!e.file().empty())
                clean.file(e.file());
            throw clean;
        }
    }

    std::unique_ptr<Provider> inner_;
};

std::unique_ptr<Provider> make_unscrubbed(const ProviderConfig& config) {
    if (config.provider == "sandbox")
        return std::make_unique<SandboxProvider>(config);
    if (config.provider == "pkcs12")
        return std::make_unique<Pkcs12Provider>(config);
    if (config.provider == "vnpt-smartca")
        return std::make_unique<VnptSmartCaProvider>(config);
    if (config.provider == "viettel-mysign")
        return std::make_unique<ViettelMySignProvider>(config);
    if (config.provider == "misa-esign")
        return std::make_unique<MisaESignProvider>(config);
    if (config.provider == "csc")
        return std::make_unique<CscProvider>(config);
    throw Error(ErrorKind::BadInput,
                "unknown provider \"" + config.provider +
                    "\" (known: sandbox, pkcs12, vnpt-smartca, viettel-mysign, misa-esign, csc)")
        .hint("known providers: sandbox, pkcs12, vnpt-smartca, viettel-mysign, misa-esign, csc");
}

} // namespace

std::unique_ptr<Provider> make_provider(const ProviderConfig& config) {
    return std::make_unique<ScrubbedProvider>(make_unscrubbed(config));
}

} // namespace neac::providers
