#include "neac/providers/provider.hpp"

#include "neac/providers/pkcs12.hpp"
#include "neac/providers/sandbox.hpp"
#include "neac/util/error.hpp"

#include <array>

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

std::unique_ptr<Provider> make_provider(const ProviderConfig& config) {
    if (config.provider == "sandbox")
        return std::make_unique<SandboxProvider>(config);
    if (config.provider == "pkcs12")
        return std::make_unique<Pkcs12Provider>(config);
    static constexpr std::array<const char*, 4> remote{"vnpt-smartca", "viettel-mysign",
                                                       "misa-esign", "csc"};
    for (const char* name : remote)
        if (config.provider == name)
            throw Error(ErrorKind::BadInput,
                        "provider " + config.provider + " is not supported by this build yet")
                .hint("use the sandbox or pkcs12 provider for now");
    throw Error(ErrorKind::BadInput, "unknown provider \"" + config.provider + "\"")
        .hint("known providers: sandbox, pkcs12, vnpt-smartca, viettel-mysign, misa-esign, csc");
}

} // namespace neac::providers
