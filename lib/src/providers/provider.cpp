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

std::unique_ptr<Provider> make_provider(const ProviderConfig& config) {
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

} // namespace neac::providers
