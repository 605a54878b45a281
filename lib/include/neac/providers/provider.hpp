// The signer interface every signing back end implements: local keys (pkcs12), the embedded
// sandbox CA, and the remote CAs (VNPT SmartCA, Viettel MySign, MISA eSign, CSC v2).
//
// Remote signing is asynchronous: neac submits a batch of digests, the CA pushes one request to
// the signer's phone, and neac polls until the request is approved, rejected or expired. Local
// signers fit the same shape by answering the first poll.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/keys.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace neac::providers {

// Everything a provider needs to know, taken from the profile's signature entry.
struct ProviderConfig {
    std::string provider;     // "sandbox", "pkcs12", "vnpt-smartca", ...
    std::string account;      // CCCD/CMND of the signer
    std::string display_name; // the profile's display name (the sandbox puts it in its CN)
    std::map<std::string, std::string> settings; // the entry's provider settings (kebab-case keys)
    std::filesystem::path home;                  // neac home (the sandbox keeps its CA there)
    // One-time inputs that never come from the profile and are never journaled: a two-factor
    // code (`neac sign --otp`), and a way to ask on a terminal when none was given (empty
    // function: not interactive, so a provider that needs a code fails with Error(Usage)).
    std::string otp;
    std::function<std::string(const std::string& prompt)> ask;
};

struct SigningCertificate {
    crypto::Certificate certificate;        // the signer's certificate
    std::vector<crypto::Certificate> chain; // certificates that issue it (may include the root)
    std::string label;                      // e.g. "SMARTCA personal", "ESEAL"; informational
};

struct SignItem {
    std::string document_name; // shown by some CAs in the phone app
    Bytes digest;              // hash of the CMS signed attributes, to be signed
};

struct SignBatch {
    crypto::SignatureAlgorithm algorithm;
    std::vector<SignItem> items;
    std::string message; // text for the phone app ("Ký 12 tài liệu ...")
};

enum class TransactionState { Pending, Approved, Rejected, Expired, Failed };
const char* transaction_state_name(TransactionState state);

struct Transaction {
    std::string id;
    std::chrono::system_clock::time_point created;
    std::chrono::system_clock::time_point expires;
    std::string message;  // what the phone shows
    nlohmann::json state; // provider-specific data needed to poll or resume (no secrets)
};

struct PollResult {
    TransactionState state = TransactionState::Pending;
    std::vector<Bytes> signatures; // when Approved: one raw signature per item, in order
    std::string detail;            // the provider's explanation when not approved
    // Set when the transaction moved to a new phase (e.g. CSC: authorised on the phone, then an
    // asynchronous signHash): replaces Transaction::state. The pipeline records it in the journal
    // and passes it to the next poll, so a restarted process continues from that phase.
    nlohmann::json new_state;
};

class Provider {
public:
    virtual ~Provider() = default;

    virtual std::string id() const = 0;
    // The certificate the signature will carry. Throws Error(Remote) for service failures and
    // Error(BadInput) when the account has no usable certificate.
    virtual SigningCertificate signing_certificate() = 0;
    // Most digests one request may carry; the pipeline splits bigger batches.
    virtual std::size_t batch_cap() const = 0;
    // Sends the batch: the request that reaches the signer's phone. Called once per batch.
    virtual Transaction submit(const SignBatch& batch) = 0;
    // Asks for the state of a transaction (possibly one submitted by an earlier process).
    virtual PollResult poll(const Transaction& txn) = 0;
    // Withdraws a pending request where the API allows; best effort.
    virtual void cancel(const Transaction& /*txn*/) {}
    // True when cancel() really withdraws the request at the CA. When false (no such API), an
    // interrupted wait keeps the journal and the prepared files, because the signer may still
    // approve on the phone and `neac sign --resume` can then finish without a second request.
    virtual bool can_cancel() const { return false; }
    // Every certificate the account holds at the provider (for `neac profile check --online`);
    // signing_certificate() is the one of them that signing uses.
    virtual std::vector<SigningCertificate> list_certificates() { return {signing_certificate()}; }
    // `text` with every secret this provider knows (passwords, client secrets, tokens it was
    // given) replaced by "***": for messages built from a server's answer, which may echo them.
    virtual std::string scrub(std::string text) const { return text; }
};

// Builds the provider named by config.provider. Unknown provider or missing settings:
// Error(BadInput) naming what is missing.
std::unique_ptr<Provider> make_provider(const ProviderConfig& config);

} // namespace neac::providers
