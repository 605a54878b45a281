// What the four remote-CA adapters (vnpt-smartca, viettel-mysign, misa-esign, csc) share:
//   - HttpTransport, the one way they reach the network, so unit tests can answer with canned
//     JSON and the real one adds retries, timeouts and log redaction (neac/net/retry.hpp);
//   - RemoteProvider, a base class that picks the account's certificate (serial, service type,
//     CCCD/CMND of the profile, validity), records what poll() needs in the transaction state and
//     checks every returned signature against that certificate before anyone embeds it;
//   - small pure helpers for settings, secrets from the environment, JSON answers and base64.
#pragma once

#include "neac/net/http.hpp"
#include "neac/net/retry.hpp"
#include "neac/providers/provider.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neac::providers {

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // Performs the request; HTTP error statuses are returned, transport failures throw
    // Error(Remote). `repeat` says whether the request may be sent again (see net::Repeat).
    virtual net::HttpResponse send(const net::HttpRequest& request, net::Repeat repeat) = 0;
    // Registers a secret value (password, token) that must never appear in logs.
    virtual void add_secret(const std::string& /*value*/) {}
};

// libcurl with net::perform_with_retry. `ca_bundle` (PEM, may be empty) is used for every request.
class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(std::string ca_bundle);
    net::HttpResponse send(const net::HttpRequest& request, net::Repeat repeat) override;
    void add_secret(const std::string& value) override { redactor_.add(value); }

private:
    std::string ca_bundle_;
    net::Redactor redactor_;
    net::RetryPolicy policy_;
};

namespace remote {

// The value of setting `key`, or `fallback` when the entry does not set it.
std::string setting(const ProviderConfig& config, const std::string& key,
                    const std::string& fallback = "");

// The secret held by the environment variable that setting `key` names. BadInput when the
// setting is missing or the variable is unset or empty; the message names the variable, never a
// value.
std::string secret_from_env(const ProviderConfig& config, const std::string& key);

// The endpoint setting without trailing '/'. BadInput when missing.
std::string endpoint(const ProviderConfig& config);

// Parses a JSON answer. A 2xx answer that is not JSON (an HTML error page, a proxy's login page)
// is Error(Remote) naming the content type and the URL: never "no data". `what` names the call.
nlohmann::json parse_json(const net::HttpResponse& response, const std::string& what,
                          const std::string& url);

// Error(Remote) for an unexpected HTTP status, with the provider's own explanation when given.
Error http_error(const net::HttpResponse& response, const std::string& what,
                 const std::string& detail);

// A string field of a JSON object, "" when absent or null; numbers are printed.
std::string text(const nlohmann::json& j, const char* key);

// base64 of `utf8` whose encoding is shorter than `max_b64` characters, cutting the text at a
// UTF-8 character boundary when needed (Viettel refuses longer document names).
std::string base64_name(const std::string& utf8, std::size_t max_b64);

// `id` percent-encoded for use as one URL path segment (ids chosen by the provider).
std::string path_segment(const std::string& id);

// A unique id for SP-generated transaction ids: prefix + 24 hex digits.
std::string new_transaction_id(const std::string& prefix);

// Parses a base64 DER certificate field; Error(Remote) naming `what` when malformed.
crypto::Certificate certificate_from_base64(const std::string& b64, const std::string& what);

// One certificate offered by the provider for the account, with what is needed to sign with it.
struct Candidate {
    SigningCertificate cert;
    std::string service_type;  // VNPT SMARTCA/ESEAL; "" elsewhere
    std::string key;           // VNPT serial_number, Viettel/CSC credential id, MISA keyAlias
    std::string status;        // the provider's status text, informational
    bool usable = true;        // false when the provider says disabled/revoked
    std::size_t multisign = 0; // CSC/Viettel batch limit, 0 = unknown
    std::vector<std::string> algorithms; // CSC/Viettel key.algo OIDs
};

// Picks the candidate to sign with: the entry's `serial` and `service-type` settings narrow the
// list, then the certificate must carry the profile's CCCD/CMND, be usable and unexpired.
// BadInput when nothing or more than one certificate remains, listing them with a hint.
Candidate select_certificate(const std::vector<Candidate>& candidates, const ProviderConfig& config,
                             const std::string& provider_name);

// "serial 1A2B.., NGUYỄN VĂN A (CCCD 0010******45), valid until 2026-07-18, SMARTCA"
std::string describe_candidate(const Candidate& c);

// Digests, algorithm and certificate of a batch, as stored in Transaction::state (no secrets).
nlohmann::json batch_state(const SignBatch& batch, const SigningCertificate& cert);

// Checks the signatures returned for a transaction: one per digest recorded by batch_state(),
// each verifying against the recorded certificate (plain r||s ECDSA values are converted to DER).
// Error(Remote) otherwise, naming the document; nothing is embedded then.
void verify_signatures(const Transaction& txn, std::vector<Bytes>& signatures,
                       const std::string& provider_name);

} // namespace remote

// Base of the four remote adapters: certificate choice and caching, and signature checks.
class RemoteProvider : public Provider {
public:
    SigningCertificate signing_certificate() override;
    std::vector<SigningCertificate> list_certificates() override;
    // Calls poll_remote() and, when it says Approved, verify_signatures() on the result: a
    // missing or non-verifying signature turns the answer into Failed (detail says which).
    PollResult poll(const Transaction& txn) final;

protected:
    RemoteProvider(const ProviderConfig& config, std::shared_ptr<HttpTransport> http);

    // Every certificate the provider offers for the account.
    virtual std::vector<remote::Candidate> fetch_candidates() = 0;
    virtual PollResult poll_remote(const Transaction& txn) = 0;

    // The chosen candidate (fetched on first use).
    const remote::Candidate& chosen();
    // The chosen candidate if signing_certificate() already ran, else nullptr.
    const remote::Candidate* chosen_if_known() const { return chosen_ ? &*chosen_ : nullptr; }

    ProviderConfig config_;
    std::shared_ptr<HttpTransport> http_;

private:
    std::optional<remote::Candidate> chosen_;
};

} // namespace neac::providers
