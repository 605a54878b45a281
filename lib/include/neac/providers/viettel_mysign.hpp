// Viettel MySign (Viettel-CA remote signing), shared/reference/providers.md §3.
//
//   POST {endpoint}/vtss/service/ras/v1/login        {client_id, client_secret, profile_id,
//                                                     user_id} -> per-user Bearer token
//   POST {endpoint}/vtss/service/certificates/info   the user's credentials (CSC v1 shape)
//   POST {endpoint}/vtss/service/signHash            hash[] + documents[], async=1 ->
//                                                     transactionId (one confirmation)
//   POST {endpoint}/vtss/service/requests/status     {transactionId} -> status code
//
// Settings: endpoint (default https://remotesigning.viettel.vn), client-id-env and
// client-secret-env (environment variables), profile-id (default "adss:ras:profile:001", the
// value of Viettel's integration guide), serial when the user has several certificates,
// ca-bundle. The user_id is the profile's account.
//
// Traps handled: the token is per user and has no refresh token, so neac logs in again when it
// expires or a call answers 401; credentialID has a capital D; document_name and description are
// base64 of UTF-8 shorter than 100 characters; returned signatures may contain CR/LF. Status
// codes: "1" signed, "4000"/"6000" pending, "4001" timed out, "4002" rejected, "4004" signing
// failed, "4005" quota, "13004" certificate expired or revoked, "50000" internal error.
// No cancel API exists.
#pragma once

#include "neac/providers/remote_common.hpp"

namespace neac::providers {

namespace viettel {

struct Credentials {
    std::string client_id;
    std::string client_secret;
    std::string profile_id;
};

constexpr const char* kDefaultProfileId = "adss:ras:profile:001";
constexpr std::chrono::seconds kRequestLifetime{300};
constexpr std::size_t kBatchCap = 1000;

nlohmann::json login_request(const Credentials& c, const std::string& user_id);
struct Token {
    std::string access_token;
    std::chrono::seconds expires_in{3600};
};
// Error(Remote) for an error answer (numeric `error` other than 0, naming error_description).
Token parse_login(const nlohmann::json& response);

nlohmann::json certificates_request(const Credentials& c, const std::string& user_id);
std::vector<remote::Candidate> parse_certificates(const nlohmann::json& response);

// signHash with async=1: one hash and one document per item, names as base64 under 100
// characters, signAlgo from sign_algorithm_oid().
nlohmann::json sign_request(const Credentials& c, const std::string& credential_id,
                            const SignBatch& batch, const std::vector<std::string>& document_ids);
// transactionId of an async answer, or the signatures of a synchronous one.
struct SignAnswer {
    std::string transaction_id;
    std::vector<Bytes> signatures;
};
SignAnswer parse_sign_response(const nlohmann::json& response);

nlohmann::json status_request(const std::string& transaction_id);
PollResult parse_status_response(const nlohmann::json& response);

// The signAlgo OID for a batch: rsaEncryption for PKCS#1 v1.5 (with hashAlgo), ecdsa-with-SHAn.
std::string sign_algorithm_oid(const crypto::SignatureAlgorithm& alg);

} // namespace viettel

class ViettelMySignProvider final : public RemoteProvider {
public:
    explicit ViettelMySignProvider(const ProviderConfig& config,
                                   std::shared_ptr<HttpTransport> http = nullptr);

    Transaction submit(const SignBatch& batch) override;

protected:
    std::vector<remote::Candidate> fetch_candidates() override;
    PollResult poll_remote(const Transaction& txn) override;

private:
    // POST with the Bearer token (logging in first or again when needed).
    nlohmann::json call(const std::string& path, const nlohmann::json& body, net::Repeat repeat,
                        const std::string& what);
    void login();

    std::string base_;
    viettel::Credentials creds_;
    std::string token_;
    std::chrono::steady_clock::time_point token_expires_{};
};

} // namespace neac::providers
