// The embedded sandbox provider: a stand-in for a remote CA that runs in-process, so that
// `scripts/demo` and the tests show the whole remote flow (submit, wait for the phone, poll,
// resume after a crash) with no account and no network.
//
// State lives under <home>/sandbox/ (folder 0700, key files 0600):
//   root-ca.pem/.key        "neac Sandbox Root CA" (EC P-256, 10 years), made on first use
//   issuing-ca.pem/.key     "neac Sandbox Issuing CA" (EC P-256, 10 years)
//   signers/<account>.pem/.key
//                           CN=<display name>, UID=CCCD:<account> (CMND: for 9 digits, MST: for a
//                           tax code), C=VN; RSA 2048, 2 years, digitalSignature+nonRepudiation.
//                           Reused on later runs; re-issued (same key) if the display name changed.
//   transactions/<id>.json  one file per submitted batch, so another process can poll it.
//
// Settings: approval-delay (seconds, default 2; $NEAC_SANDBOX_DELAY overrides), outcome
// (approve|reject|expire; $NEAC_SANDBOX_OUTCOME overrides). poll() answers Pending until the
// delay has passed since submit(), then the outcome. A request also expires 300 s after submit.
#pragma once

#include "neac/providers/provider.hpp"

#include <filesystem>

namespace neac::providers {

// The sandbox root certificate (PEM) under `home`, creating the sandbox CA if needed. Give it to
// `neac verify --trust` or to tests as the trust anchor.
std::filesystem::path sandbox_root_certificate(const std::filesystem::path& home);

class SandboxProvider final : public Provider {
public:
    // Checks the account and settings; the CA is created lazily by signing_certificate().
    explicit SandboxProvider(const ProviderConfig& config);

    std::string id() const override { return "sandbox"; }
    SigningCertificate signing_certificate() override;
    std::size_t batch_cap() const override { return 1000; }
    Transaction submit(const SignBatch& batch) override;
    PollResult poll(const Transaction& txn) override;
    void cancel(const Transaction& txn) override;

private:
    ProviderConfig config_;
    std::filesystem::path dir_;
};

} // namespace neac::providers
