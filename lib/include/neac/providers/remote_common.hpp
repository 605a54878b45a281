// What the four remote-CA adapters (vnpt-smartca, viettel-mysign, misa-esign, csc) share:
//   - HttpTransport, the one way they reach the network, so unit tests can answer with canned
//     JSON and the real one adds retries, timeouts and log redaction (neac/net/retry.hpp);
//   - RemoteProvider, a base class that picks the account's certificate (serial, service type,
//     CCCD/CMND of the profile, validity), records what poll() needs in the transaction state and
//     checks every returned signature against that certificate before anyone embeds it;
//   - small pure helpers for settings, secrets from the environment, JSON answers, base64, status
//     texts and codes, certificate lists, and signatures that arrive with the sign answer.
#pragma once

#include "neac/net/http.hpp"
#include "neac/net/retry.hpp"
#include "neac/providers/provider.hpp"

#include <chrono>
#include <initializer_list>
#include <limits>
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
    // `text` with the registered secrets replaced by "***".
    virtual std::string scrub(std::string text) const { return text; }
};

// libcurl with net::perform_with_retry. `ca_bundle` (PEM, may be empty) is used for every request.
class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(std::string ca_bundle);
    net::HttpResponse send(const net::HttpRequest& request, net::Repeat repeat) override;
    void add_secret(const std::string& value) override { redactor_.add(value); }
    std::string scrub(std::string text) const override { return redactor_.scrub(std::move(text)); }

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

// The integer in field `key` of a JSON object, given as a number or as a numeric string (the
// services send both): `absent` when `j` is not an object or the field is missing or null, -1 when
// the field holds anything else or a number that does not fit `Int`. Defined for int and long.
template <class Int> Int integer(const nlohmann::json& j, const char* key, Int absent);

// The longest token lifetime neac believes (access tokens live an hour or so): the renewal is
// scheduled on the steady clock from it, so a broken or hostile "expires_in" must not reach that
// arithmetic unbounded (2^63 seconds overflowed it).
inline constexpr std::chrono::seconds kMaxTokenLifetime{24 * 3600};

// A token lifetime as an answer states it, in seconds ("3600", as a string or a number's text),
// clamped to 0..kMaxTokenLifetime; `absent` when empty or not a number.
std::chrono::seconds token_lifetime(const std::string& text, std::chrono::seconds absent);

// `s` in ASCII upper case (status texts, serials).
std::string upper(std::string s);

// Whether `text` contains one of `needles`: ASCII case-insensitively, and byte for byte for the
// Vietnamese ones ("từ chối"), whose case is not folded.
bool contains_any(const std::string& text, std::initializer_list<const char*> needles);

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

// Entry `index` (from 0) of a certificate list given signer first (CSC `cert/certificates`):
// the first becomes `out.certificate`, later ones are appended to `out.chain`. Error(Remote)
// naming `what` and the position ("certificate 2") when `b64` is not a base64 DER certificate.
void add_listed_certificate(SigningCertificate& out, std::size_t index, const std::string& b64,
                            const std::string& what);

// Picks the candidate to sign with: the entry's `serial` and `service-type` settings narrow the
// list, then the certificate must carry the profile's CCCD/CMND, be usable and unexpired.
// BadInput when nothing or more than one certificate remains, listing them with a hint.
Candidate select_certificate(const std::vector<Candidate>& candidates, const ProviderConfig& config,
                             const std::string& provider_name);

// "serial 1A2B.., NGUYỄN VĂN A (CCCD 0010******45), valid until 2026-07-18, SMARTCA"
std::string describe_candidate(const Candidate& c);

// Digests, algorithm and certificate of a batch, as stored in Transaction::state (no secrets).
nlohmann::json batch_state(const SignBatch& batch, const SigningCertificate& cert);

// Signatures that came with the sign answer (a synchronous CA) are kept in the transaction state,
// so that poll() hands them over, checked, like asynchronous ones. keep_signatures() does nothing
// when `signatures` is empty; kept_signatures() is the Approved result when the state holds them.
void keep_signatures(nlohmann::json& state, const std::vector<Bytes>& signatures);
std::optional<PollResult> kept_signatures(const nlohmann::json& state);

// Checks the signatures returned for a transaction: one per digest recorded by batch_state(),
// each verifying against the recorded certificate (plain r||s ECDSA values are converted to DER).
// Error(Remote) otherwise, naming the document; nothing is embedded then.
void verify_signatures(const Transaction& txn, std::vector<Bytes>& signatures,
                       const std::string& provider_name);

} // namespace remote

// Base of the four remote adapters: certificate choice and caching, the batch cap, and signature
// checks.
class RemoteProvider : public Provider {
public:
    std::string id() const override { return id_; }
    // The chosen certificate's multisign (CSC, Viettel) capped at `batch_limit`; `batch_default`
    // before the certificate is chosen or when the provider states no multisign.
    std::size_t batch_cap() const override;
    SigningCertificate signing_certificate() override;
    std::vector<SigningCertificate> list_certificates() override;
    // Calls poll_remote() and, when it says Approved, verify_signatures() on the result: a
    // missing or non-verifying signature turns the answer into Failed (detail says which).
    PollResult poll(const Transaction& txn) final;
    std::string scrub(std::string text) const override { return http_->scrub(std::move(text)); }

protected:
    // `id` is the provider name (id()); no `http` means a CurlTransport with the entry's
    // ca-bundle. The batch sizes are those of batch_cap().
    RemoteProvider(const ProviderConfig& config, std::shared_ptr<HttpTransport> http,
                   std::string id, std::size_t batch_default,
                   std::size_t batch_limit = std::numeric_limits<std::size_t>::max());

    // Every certificate the provider offers for the account.
    virtual std::vector<remote::Candidate> fetch_candidates() = 0;
    virtual PollResult poll_remote(const Transaction& txn) = 0;

    // The chosen candidate (fetched on first use).
    const remote::Candidate& chosen();

    ProviderConfig config_;
    std::shared_ptr<HttpTransport> http_;

private:
    std::string id_;
    std::size_t batch_default_;
    std::size_t batch_limit_;
    std::optional<remote::Candidate> chosen_;
};

} // namespace neac::providers
