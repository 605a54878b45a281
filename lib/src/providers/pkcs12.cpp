#include "neac/providers/pkcs12.hpp"

#include "neac/crypto/cms.hpp"
#include "neac/crypto/random.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"

#include <cstdlib>

namespace neac::providers {

namespace {

std::string setting(const ProviderConfig& config, const std::string& key) {
    auto it = config.settings.find(key);
    return it == config.settings.end() ? std::string() : it->second;
}

std::string read_password(const ProviderConfig& config) {
    std::string env = setting(config, "password-env");
    std::string file = setting(config, "password-file");
    if (!env.empty() && !file.empty())
        throw Error(ErrorKind::BadInput,
                    "pkcs12 provider: set password-env or password-file, not both");
    if (!env.empty()) {
        const char* value = std::getenv(env.c_str());
        if (!value)
            throw Error(ErrorKind::BadInput, "pkcs12 provider: environment variable " + env +
                                                 " (password-env) is not set")
                .hint("export " + env + "=... before running neac");
        return value;
    }
    if (!file.empty()) {
        return read_secret_file(file, "PKCS#12 password");
    }
    throw Error(ErrorKind::BadInput, "pkcs12 provider needs password-env or password-file")
        .hint("add password-env: VARIABLE_NAME (or password-file: PATH) to the signature entry");
}

} // namespace

Pkcs12Provider::Pkcs12Provider(const ProviderConfig& config) : path_(setting(config, "pkcs12")) {
    if (path_.empty())
        throw Error(ErrorKind::BadInput, "pkcs12 provider needs the pkcs12 setting (file path)")
            .hint("add pkcs12: /path/to/signer.p12 to the signature entry");
    bundle_ = crypto::load_pkcs12(path_, read_password(config));
}

SigningCertificate Pkcs12Provider::signing_certificate() {
    SigningCertificate out{bundle_.certificate, {}, "PKCS#12 " + path_};
    // Issuers in chain order first (what order_chain can link), then whatever else the file
    // carries (e.g. the self-signed root that order_chain leaves out).
    std::vector<crypto::Certificate> ordered =
        crypto::order_chain(bundle_.certificate, bundle_.extra_certs);
    for (std::size_t i = 1; i < ordered.size(); ++i)
        out.chain.push_back(ordered[i]);
    for (const crypto::Certificate& c : bundle_.extra_certs) {
        bool present = c == bundle_.certificate;
        for (const crypto::Certificate& o : out.chain)
            present = present || o == c;
        if (!present)
            out.chain.push_back(c);
    }
    return out;
}

Transaction Pkcs12Provider::submit(const SignBatch& batch) {
    if (batch.items.empty())
        throw Error(ErrorKind::Internal, "pkcs12 provider: empty batch");
    nlohmann::json signatures = nlohmann::json::array();
    for (const SignItem& item : batch.items)
        signatures.push_back(base64_encode(bundle_.key.sign_digest(batch.algorithm, item.digest)));
    Transaction txn;
    txn.id = crypto::random_hex(16);
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + std::chrono::seconds(300);
    txn.message = batch.message;
    txn.state = {{"provider", "pkcs12"}, {"signatures", std::move(signatures)}};
    return txn;
}

PollResult Pkcs12Provider::poll(const Transaction& txn) {
    PollResult out;
    const nlohmann::json& sigs = txn.state.is_object() && txn.state.contains("signatures")
                                     ? txn.state["signatures"]
                                     : nlohmann::json();
    if (!sigs.is_array() || sigs.empty()) {
        out.state = TransactionState::Failed;
        out.detail = "transaction " + txn.id + " carries no pkcs12 signatures";
        return out;
    }
    for (const nlohmann::json& s : sigs) {
        if (!s.is_string())
            throw Error(ErrorKind::BadInput, "transaction " + txn.id + ": malformed signature");
        out.signatures.push_back(base64_decode(s.get<std::string>()));
    }
    out.state = TransactionState::Approved;
    return out;
}

} // namespace neac::providers
