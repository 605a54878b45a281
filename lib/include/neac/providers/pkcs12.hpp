// The local PKCS#12 signer: a .p12/.pfx file on disk, for tests, CI and people with a file-based
// certificate. It fits the asynchronous Provider shape by signing at submit() time.
//
// Settings (profile entry, kebab-case):
//   pkcs12         path of the .p12/.pfx file (required)
//   password-env   name of an environment variable holding the password, or
//   password-file  a file whose first line is the password (one of the two is required)
#pragma once

#include "neac/crypto/keys.hpp"
#include "neac/providers/provider.hpp"

namespace neac::providers {

class Pkcs12Provider final : public Provider {
public:
    // Reads the password and loads the file now, so that a wrong password or a missing file is
    // reported before any document is prepared. Throws Error(BadInput) naming the setting.
    explicit Pkcs12Provider(const ProviderConfig& config);

    std::string id() const override { return "pkcs12"; }
    SigningCertificate signing_certificate() override;
    std::size_t batch_cap() const override { return 10000; }
    // Signs every digest at once; the signatures travel in Transaction.state (base64), so poll()
    // answers Approved immediately, in this process or a later one.
    Transaction submit(const SignBatch& batch) override;
    PollResult poll(const Transaction& txn) override;

private:
    crypto::Pkcs12Bundle bundle_;
    std::string path_;
};

} // namespace neac::providers
