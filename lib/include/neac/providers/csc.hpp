// Cloud Signature Consortium API v2 (shared/reference/providers.md §6), for any remote signing
// service that speaks it. Every call is a POST with JSON and `Authorization: Bearer <token>`:
//
//   info                          asynchronousOperationMode decides signHash's operationMode
//   credentials/list              when the entry names no credential
//   credentials/info              certificate chain, key algorithms, multisign = the batch cap
//   credentials/authorize         numSignatures + hashes: 200 {SAD}, or 202 {handle} while the
//                                 signer approves on the phone
//   credentials/authorizeCheck    {handle}: 202 pending, 200 {SAD}
//   signatures/signHash           with the SAD: "S" -> {signatures}, "A" -> {responseID}
//   signatures/signPolling        {requestID}: 202 (or 400 "previous asynchronous signature
//                                 request", seen in the field) pending, 200 {signatures}
//
// Settings: endpoint (required; "/csc/v2" is appended unless it ends so), token-env (OAuth2
// access token with service scope), credential (credentialID; otherwise the one credential of
// the account), serial, ca-bundle.
//
// The SAD is never written anywhere: signHash is called in the same step that obtains it. The
// transaction state records the phase (authorize handle, or asynchronous responseID), so a
// restarted neac continues polling without a second authorisation. CSC has no cancel method.
#pragma once

#include "neac/providers/remote_common.hpp"

namespace neac::providers {

namespace csc {

constexpr std::chrono::seconds kRequestLifetime{300};

struct Info {
    bool asynchronous = false; // asynchronousOperationMode
    std::vector<std::string> methods;
};
Info parse_info(const nlohmann::json& response);

nlohmann::json list_request();
std::vector<std::string> parse_list(const nlohmann::json& response);
nlohmann::json info_request(const std::string& credential_id);
// One candidate (key = credentialID, multisign, key.algo); Error(Remote) when malformed.
remote::Candidate parse_credential_info(const nlohmann::json& response,
                                        const std::string& credential_id);

// signAlgo (and hashAlgorithmOID, "" when signAlgo implies the hash) for a batch, chosen among
// the key's algorithms. BadInput when the key offers none that fits.
struct Algorithms {
    std::string sign_algo;
    std::string hash_algo;
};
Algorithms choose_algorithms(const crypto::SignatureAlgorithm& alg,
                             const std::vector<std::string>& key_algos);

nlohmann::json authorize_request(const std::string& credential_id, const SignBatch& batch);
nlohmann::json sign_hash_request(const std::string& credential_id, const std::string& sad,
                                 const SignBatch& batch, const Algorithms& algos,
                                 bool asynchronous);
// Reads {signatures} or {responseID}.
struct SignAnswer {
    std::vector<Bytes> signatures;
    std::string response_id;
};
SignAnswer parse_sign_hash(const nlohmann::json& response);

// The transaction state after an HTTP answer of credentials/authorize(Check) or signPolling:
// Pending (202, or 400 "previous asynchronous signature request"), Rejected (access_denied),
// Expired (expired SAD or request), Failed otherwise. For 200 the caller reads the body.
PollResult classify_error(long http_status, const nlohmann::json& body);

} // namespace csc

class CscProvider final : public RemoteProvider {
public:
    explicit CscProvider(const ProviderConfig& config,
                         std::shared_ptr<HttpTransport> http = nullptr);

    Transaction submit(const SignBatch& batch) override;

protected:
    std::vector<remote::Candidate> fetch_candidates() override;
    PollResult poll_remote(const Transaction& txn) override;

private:
    net::HttpResponse post(const std::string& method, const nlohmann::json& body,
                           net::Repeat repeat);
    nlohmann::json post_ok(const std::string& method, const nlohmann::json& body,
                           net::Repeat repeat);
    // signHash with a fresh SAD; fills `state` with the outcome (signatures or responseID).
    PollResult sign_with(const std::string& sad, const SignBatch& batch, nlohmann::json& state);
    SignBatch batch_from_state(const nlohmann::json& state) const;

    std::string base_;
    std::string token_;
    csc::Info info_;
    bool info_known_ = false;
};

} // namespace neac::providers
