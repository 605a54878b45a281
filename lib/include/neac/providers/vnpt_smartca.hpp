// VNPT SmartCA through the NEAC interface of Decision 769/QĐ-BTTTT (`/sca/sp769/v1`), the API the
// national public-service portal uses (shared/reference/providers.md §2).
//
//   POST {endpoint}/v1/credentials/get_certificate   {sp_id, sp_password, user_id, transaction_id}
//   POST {endpoint}/v1/signatures/sign               one sign_files[] item per document: one
//                                                    confirmation on the phone for the batch
//   POST {endpoint}/v1/signatures/sign/{id}/status   {} until signatures arrive
//
// Settings: endpoint (default https://gwsca.vnpt.vn/sca/sp769), sp-id-env and sp-password-env
// (environment variables holding the SP credentials VNPT issues), serial or service-type
// (SMARTCA personal / ESEAL organisation) when the CCCD holds several certificates, ca-bundle.
// The user_id is the profile's account (CCCD/CMND). Signatures are raw PKCS#1 over the hex digest.
//
// VNPT documents no status for "rejected" or "expired": messages naming a refusal (REJECT, CANCEL,
// "từ chối") or an expiry (EXPIRE, TIMEOUT, "hết hạn") are read as such, and a request that stays
// pending is given up locally after five minutes (the official samples poll for 4-5 minutes).
// No cancel API exists.
#pragma once

#include "neac/providers/remote_common.hpp"

namespace neac::providers {

namespace vnpt {

struct Credentials {
    std::string sp_id;
    std::string sp_password;
};

// How long a request may stay pending before neac gives up on it.
constexpr std::chrono::seconds kRequestLifetime{300};
// Most documents per sign request (no documented limit; one request = one confirmation).
constexpr std::size_t kBatchCap = 1000;

nlohmann::json certificate_request(const Credentials& c, const std::string& user_id,
                                   const std::string& serial, const std::string& transaction_id);
// The certificates of a get_certificate answer (`data.user_certificates[]`, or the generic 769
// `data[]`); chain_data as an object {ca_cert, root_cert|null} or an array. Error(Remote) for a
// status_code other than 200, naming VNPT's message.
std::vector<remote::Candidate> parse_certificates(const nlohmann::json& response);

// Document ids shown in the app: the file names, made unique and at most 100 characters.
std::vector<std::string> document_ids(const SignBatch& batch);

// The sign request: one sign_files[] entry per digest (lower-case hex, sign_type "hash").
nlohmann::json sign_request(const Credentials& c, const std::string& user_id,
                            const std::string& serial, const std::string& transaction_id,
                            const SignBatch& batch, const std::vector<std::string>& doc_ids,
                            std::chrono::system_clock::time_point now);

struct SignAnswer {
    std::string transaction_id;
    std::string tran_code;
    std::vector<Bytes> signatures; // when the CA answered synchronously
};
// Error(Remote) for a status_code other than 200 (naming the message) or a missing id.
SignAnswer parse_sign_response(const nlohmann::json& response,
                               const std::vector<std::string>& doc_ids);

// Reads a status answer: Approved with one signature per document (matched by doc_id when given,
// else in request order), Rejected/Expired/Failed with VNPT's message, or Pending.
// Error(Remote) for answers that say nothing usable (server errors: the caller may try again).
PollResult parse_status_response(const nlohmann::json& response,
                                 const std::vector<std::string>& doc_ids);

} // namespace vnpt

class VnptSmartCaProvider final : public RemoteProvider {
public:
    // Reads the SP credentials from the environment now (BadInput naming a missing variable).
    explicit VnptSmartCaProvider(const ProviderConfig& config,
                                 std::shared_ptr<HttpTransport> http = nullptr);

    Transaction submit(const SignBatch& batch) override;

protected:
    std::vector<remote::Candidate> fetch_candidates() override;
    PollResult poll_remote(const Transaction& txn) override;

private:
    nlohmann::json call(const std::string& path, const nlohmann::json& body, net::Repeat repeat,
                        const std::string& what, long* http_status = nullptr);

    std::string base_;
    vnpt::Credentials creds_;
};

} // namespace neac::providers
