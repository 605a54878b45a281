// MISA eSign RemoteSigning (MISA-CA), shared/reference/providers.md §4.
//
//   POST {endpoint}/webdev/api/auth/api/v1/auth/login-api        {userName, password}
//   POST {endpoint}/webdev/api/auth/api/v1/auth/two-factor-auth  when login says errorCode 122
//   POST {endpoint}/webdev/api/auth/api/v1/auth/refreshtoken     on 401
//   GET  {endpoint}/external/esrm/service/general/api/v1/Certificates/by-userId
//   POST {endpoint}/external/esrm/service/signing/api/v1/Signing/hash     Documents[] -> one
//                                                                         transactionId
//   GET  {endpoint}/external/esrm/service/signing/api/v1/Signing/status/{transactionId}
//
// Auth lives under /webdev, the ESRM signing service at the host root, and ESRM calls carry the
// *remote-signing* token (`AuthorizationRM: Bearer <remoteSigningAccessToken>`), not accessToken:
// the three traps MISA integrators fell into. A 2xx answer that is not JSON (MISA's web app
// answering for a wrong path) is an error, never "no certificates".
//
// Settings: endpoint (default https://esignapp.misa.vn), username-env, password-env or
// password-file (the MISA ID login), client-id-env/client-secret-env (x-clientId/x-clientKey,
// when MISA issued partner keys), serial when the user has several certificates, ca-bundle.
// Two-factor accounts: the code comes from `neac sign --otp CODE`, or is asked for on a terminal.
// Statuses: PENDING, SUCCESS, FAILED (errorCode/errorDescription naming a refusal or expiry are
// read as such), CANCELLED (read as rejected). MISA has no cancel API.
#pragma once

#include "neac/providers/remote_common.hpp"

namespace neac::providers {

namespace misa {

constexpr std::chrono::seconds kRequestLifetime{300};
constexpr std::size_t kBatchCap = 1000;
constexpr const char* kAuthPrefix = "/webdev/api/auth/api/v1/auth";
constexpr const char* kEsrmPrefix = "/external/esrm/service";

struct Session {
    std::string access_token;
    std::string remote_signing_token; // for every ESRM call
    std::string refresh_token;
    std::string user_id;
    std::chrono::seconds expires_in{3600};
};

// What a login (or two-factor, or refresh) answer says.
struct LoginAnswer {
    bool needs_otp = false; // errorCode 122: call two-factor-auth with a code
    Session session;        // when !needs_otp
};

nlohmann::json login_request(const std::string& user, const std::string& password);
nlohmann::json two_factor_request(const std::string& user, const std::string& code);
nlohmann::json refresh_request(const std::string& refresh_token);
// Error(Remote) naming MISA's userMsg/devMsg/errorCode for a failed login; BadInput-free.
LoginAnswer parse_login(const nlohmann::json& response);

std::vector<remote::Candidate> parse_certificates(const nlohmann::json& response);

nlohmann::json sign_request(const std::string& user_id, const std::string& cert_alias,
                            const SignBatch& batch, const std::vector<std::string>& document_ids);
std::string parse_sign_response(const nlohmann::json& response); // the transactionId
PollResult parse_status_response(const nlohmann::json& response,
                                 const std::vector<std::string>& document_ids);

} // namespace misa

class MisaESignProvider final : public RemoteProvider {
public:
    explicit MisaESignProvider(const ProviderConfig& config,
                               std::shared_ptr<HttpTransport> http = nullptr);

    Transaction submit(const SignBatch& batch) override;

protected:
    std::vector<remote::Candidate> fetch_candidates() override;
    PollResult poll_remote(const Transaction& txn) override;

private:
    void login();
    bool refresh();
    nlohmann::json auth_call(const std::string& path, const nlohmann::json& body,
                             const std::string& what);
    nlohmann::json esrm_call(const std::string& method, const std::string& path,
                             const nlohmann::json& body, net::Repeat repeat,
                             const std::string& what);
    std::vector<std::pair<std::string, std::string>> partner_headers() const;
    // Takes a login or refresh answer's session: its tokens become secrets, renewed a minute early.
    void adopt(const misa::Session& session);

    std::string base_;
    std::string user_, password_, client_id_, client_key_;
    std::optional<misa::Session> session_;
    std::chrono::steady_clock::time_point session_expires_{};
};

} // namespace neac::providers
