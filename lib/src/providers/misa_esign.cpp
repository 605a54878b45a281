#include "neac/providers/misa_esign.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"

#include <spdlog/spdlog.h>

namespace neac::providers {
namespace misa {
namespace {

using remote::contains_any;
using remote::upper;

// MISA puts error details either in a `status` object (login) or at the top level.
std::string field(const nlohmann::json& r, const char* key) {
    std::string v = remote::text(r, key);
    if (v.empty() && r.is_object())
        if (auto s = r.find("status"); s != r.end() && s->is_object())
            v = remote::text(*s, key);
    return v;
}

Error misa_error(const std::string& what, const nlohmann::json& r) {
    std::string code = field(r, "errorCode");
    std::string msg = field(r, "userMsg");
    if (msg.empty())
        msg = field(r, "devMsg");
    if (msg.empty())
        msg = field(r, "message");
    if (msg.empty())
        msg = field(r, "error");
    Error e = remote_error("MISA eSign " + what + " failed" +
                           (code.empty() ? "" : ": errorCode " + code) +
                           (msg.empty() ? "" : " (" + msg + ")"));
    if (code == "e2001")
        e.hint("MISA refused the token (ESRM needs the remote-signing token)");
    else if (what.find("login") != std::string::npos)
        e.hint("check the MISA ID user name and password in the variables the profile names");
    return e;
}

} // namespace

nlohmann::json login_request(const std::string& user, const std::string& password) {
    return {{"userName", user}, {"password", password}};
}

nlohmann::json two_factor_request(const std::string& user, const std::string& code) {
    // otpType 1 = authenticator app; MISA also sends SMS/e-mail codes (0) and accepts either here
    // per its guide.
    return {{"userName", user}, {"code", code}, {"otpType", 1}, {"remember", false}};
}

nlohmann::json refresh_request(const std::string& refresh_token) {
    return {{"refreshToken", refresh_token}};
}

LoginAnswer parse_login(const nlohmann::json& r) {
    LoginAnswer a;
    if (!r.is_object())
        throw remote_error("MISA eSign login: the answer is not a JSON object");
    std::string code = field(r, "errorCode");
    if (code == "122") {
        a.needs_otp = true;
        return a;
    }
    const nlohmann::json data = r.value("data", nlohmann::json());
    if (!data.is_object() || remote::text(data, "remoteSigningAccessToken").empty()) {
        if (!code.empty() || !field(r, "userMsg").empty() || !field(r, "devMsg").empty())
            throw misa_error("login", r);
        throw remote_error("MISA eSign login: the answer has no remoteSigningAccessToken")
            .hint("the account may not be connected to a MISA remote-signing certificate");
    }
    a.session.access_token = remote::text(data, "accessToken");
    a.session.remote_signing_token = remote::text(data, "remoteSigningAccessToken");
    a.session.refresh_token = remote::text(data, "refreshToken");
    if (auto u = data.find("user"); u != data.end() && u->is_object())
        a.session.user_id = remote::text(*u, "id");
    if (a.session.user_id.empty())
        a.session.user_id = remote::text(data, "userId");
    a.session.expires_in =
        remote::token_lifetime(remote::text(data, "expiresIn"), a.session.expires_in);
    return a;
}

std::vector<remote::Candidate> parse_certificates(const nlohmann::json& r) {
    const nlohmann::json* list = &r;
    if (r.is_object() && r.contains("data") && r["data"].is_array())
        list = &r["data"];
    if (!list->is_array()) {
        if (r.is_object() && (!field(r, "errorCode").empty() || !field(r, "devMsg").empty()))
            throw misa_error("Certificates/by-userId", r);
        throw remote_error("MISA eSign Certificates/by-userId: expected a list of certificates");
    }
    std::vector<remote::Candidate> out;
    for (const auto& item : *list) {
        remote::Candidate c;
        c.key = remote::text(item, "keyAlias");
        std::string what = "MISA eSign certificate " + c.key;
        c.cert.certificate =
            remote::certificate_from_base64(remote::text(item, "certificate"), what);
        // "certiticateChain" is MISA's spelling; accept the corrected one too.
        for (const char* key : {"certiticateChain", "certificateChain"}) {
            auto chain = item.find(key);
            if (chain == item.end() || !chain->is_array())
                continue;
            for (const auto& v : *chain) {
                if (!v.is_string())
                    continue;
                crypto::Certificate x =
                    remote::certificate_from_base64(v.get<std::string>(), what + " chain");
                if (!(x == c.cert.certificate)) // the chain starts with the signer itself
                    c.cert.chain.push_back(x);
            }
            break;
        }
        std::string key_status = remote::text(item, "keyStatus");
        c.status = key_status;
        c.usable = key_status.empty() || upper(key_status) == "ACTIVE";
        c.cert.label = "MISA eSign " + c.key;
        out.push_back(std::move(c));
    }
    return out;
}

nlohmann::json sign_request(const std::string& user_id, const std::string& cert_alias,
                            const SignBatch& batch, const std::vector<std::string>& document_ids) {
    nlohmann::json docs = nlohmann::json::array();
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
        std::string name = batch.items[i].document_name;
        if (name.size() > 100) {
            name.resize(100);
            while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80)
                name.pop_back();
            if (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0xC0)
                name.pop_back();
        }
        docs.push_back({{"DocumentId", document_ids.at(i)},
                        {"FileToSign", base64_encode(batch.items[i].digest)},
                        {"DocumentName", name}});
    }
    return {{"DataToBeDisplayed", batch.message},
            {"UserId", user_id},
            {"CertAlias", cert_alias},
            {"Documents", docs}};
}

std::string parse_sign_response(const nlohmann::json& r) {
    std::string id = remote::text(r, "transactionId");
    if (id.empty() && r.is_object() && r.contains("data") && r["data"].is_object())
        id = remote::text(r["data"], "transactionId");
    if (id.empty()) {
        if (!field(r, "errorCode").empty() || !field(r, "devMsg").empty())
            throw misa_error("Signing/hash", r);
        throw remote_error("MISA eSign Signing/hash: the answer has no transactionId");
    }
    return id;
}

PollResult parse_status_response(const nlohmann::json& r,
                                 const std::vector<std::string>& document_ids) {
    if (!r.is_object())
        throw remote_error("MISA eSign Signing/status: the answer is not a JSON object");
    PollResult out;
    std::string status = upper(remote::text(r, "status"));
    std::string code = remote::text(r, "errorCode");
    std::string desc = remote::text(r, "errorDescription");
    std::string detail = code + (desc.empty() ? "" : (code.empty() ? "" : " ") + desc);
    if (status == "SUCCESS") {
        out.state = TransactionState::Approved;
        const nlohmann::json sigs = r.value("signatures", nlohmann::json::array());
        // In request order, or keyed by documentId when MISA gives it.
        bool keyed = !document_ids.empty() && sigs.is_array() && !sigs.empty();
        for (const auto& s : sigs)
            if (remote::text(s, "documentId").empty())
                keyed = false;
        if (!keyed) {
            for (const auto& s : sigs)
                out.signatures.push_back(base64_decode(
                    s.is_string() ? s.get<std::string>() : remote::text(s, "signature")));
        } else {
            for (const std::string& id : document_ids)
                for (const auto& s : sigs)
                    if (remote::text(s, "documentId") == id) {
                        out.signatures.push_back(base64_decode(remote::text(s, "signature")));
                        break;
                    }
        }
    } else if (status == "PENDING" || status == "PROCESSING" || status.empty()) {
        out.state = TransactionState::Pending;
    } else if (status == "CANCELLED" || status == "CANCELED" || status == "REJECTED" ||
               contains_any(detail, {"REJECT", "CANCEL", "từ chối", "DENIED"})) {
        out.state = TransactionState::Rejected;
        out.detail = detail.empty() ? status : detail;
    } else if (status == "EXPIRED" || contains_any(detail, {"EXPIRE", "TIMEOUT", "hết hạn"})) {
        out.state = TransactionState::Expired;
        out.detail = detail.empty() ? status : detail;
    } else {
        out.state = TransactionState::Failed;
        out.detail = status + (detail.empty() ? "" : ": " + detail);
    }
    return out;
}

} // namespace misa

MisaESignProvider::MisaESignProvider(const ProviderConfig& config,
                                     std::shared_ptr<HttpTransport> http)
    : RemoteProvider(config, std::move(http), "misa-esign", misa::kBatchCap),
      base_(remote::endpoint(config_)) {
    user_ = remote::secret_from_env(config_, "username-env");
    if (!remote::setting(config_, "password-env").empty()) {
        password_ = remote::secret_from_env(config_, "password-env");
    } else if (std::string file = remote::setting(config_, "password-file"); !file.empty()) {
        password_ = read_secret_file(file, "MISA eSign password");
    } else {
        throw input_error("the misa-esign entry has neither password-env nor password-file")
            .hint("add --password-env VAR or --password-file FILE to the profile entry");
    }
    if (!remote::setting(config_, "client-id-env").empty())
        client_id_ = remote::secret_from_env(config_, "client-id-env");
    if (!remote::setting(config_, "client-secret-env").empty())
        client_key_ = remote::secret_from_env(config_, "client-secret-env");
    for (const std::string* s : {&user_, &password_, &client_id_, &client_key_})
        http_->add_secret(*s);
}

std::vector<std::pair<std::string, std::string>> MisaESignProvider::partner_headers() const {
    std::vector<std::pair<std::string, std::string>> h{{"Accept", "application/json"}};
    if (!client_id_.empty())
        h.emplace_back("x-clientId", client_id_);
    if (!client_key_.empty())
        h.emplace_back("x-clientKey", client_key_);
    return h;
}

nlohmann::json MisaESignProvider::auth_call(const std::string& path, const nlohmann::json& body,
                                            const std::string& what) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = base_ + misa::kAuthPrefix + path;
    req.headers = partner_headers();
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body.dump();
    req.total_timeout = limits::kRequestTimeout;
    net::HttpResponse resp = http_->send(req, net::Repeat::Safe);
    if (resp.status >= 200 && resp.status < 300)
        return remote::parse_json(resp, "MISA eSign " + what, req.url);
    nlohmann::json j = parse_untrusted_json(resp.body);
    if (!j.is_discarded() && j.is_object() && resp.status < 500)
        return j; // MISA's error envelope: parse_login explains it
    throw remote::http_error(resp, "MISA eSign " + what, "");
}

void MisaESignProvider::login() {
    misa::LoginAnswer a =
        misa::parse_login(auth_call("/login-api", misa::login_request(user_, password_), "login"));
    if (a.needs_otp) {
        std::string code = config_.otp;
        if (code.empty() && config_.ask)
            code = config_.ask("MISA eSign: two-factor code for " + user_ + " (mã OTP)");
        if (code.empty())
            throw usage_error("MISA eSign asks for a two-factor code for this account")
                .hint("pass it with --otp CODE, or run neac sign on a terminal to be asked");
        http_->add_secret(code);
        try {
            a = misa::parse_login(auth_call(
                "/two-factor-auth", misa::two_factor_request(user_, code), "two-factor login"));
        } catch (const Error& e) {
            Error explained = e;
            explained.hint("MISA did not accept the two-factor code; give a fresh one with --otp");
            throw explained;
        }
        if (a.needs_otp)
            throw remote_error("MISA eSign did not accept the two-factor code");
    }
    adopt(a.session);
}

void MisaESignProvider::adopt(const misa::Session& session) {
    for (const std::string* s :
         {&session.access_token, &session.remote_signing_token, &session.refresh_token})
        http_->add_secret(*s);
    session_ = session;
    session_expires_ =
        std::chrono::steady_clock::now() + session.expires_in - std::chrono::seconds(60);
}

bool MisaESignProvider::refresh() {
    if (!session_ || session_->refresh_token.empty())
        return false;
    try {
        misa::LoginAnswer a = misa::parse_login(
            auth_call("/refreshtoken", misa::refresh_request(session_->refresh_token), "refresh"));
        if (a.needs_otp)
            return false;
        if (a.session.user_id.empty())
            a.session.user_id = session_->user_id;
        adopt(a.session);
        return true;
    } catch (const Error& e) {
        spdlog::info("MISA eSign: token refresh failed ({}); logging in again", e.what());
        return false;
    }
}

nlohmann::json MisaESignProvider::esrm_call(const std::string& method, const std::string& path,
                                            const nlohmann::json& body, net::Repeat repeat,
                                            const std::string& what) {
    net::HttpRequest req;
    req.method = method;
    req.url = base_ + misa::kEsrmPrefix + path;
    if (method != "GET")
        req.body = body.dump();
    req.total_timeout = limits::kRequestTimeout;
    for (int attempt = 0;; ++attempt) {
        if (!session_ || std::chrono::steady_clock::now() >= session_expires_) {
            if (!refresh())
                login();
        }
        req.headers = partner_headers();
        if (method != "GET")
            req.headers.emplace_back("Content-Type", "application/json");
        req.headers.emplace_back("AuthorizationRM", "Bearer " + session_->remote_signing_token);
        net::HttpResponse resp = http_->send(req, repeat);
        // MISA answers 401 before doing anything: refresh (or log in again) and go once more.
        if (resp.status == 401 && attempt == 0) {
            session_expires_ = {};
            continue;
        }
        if (resp.status >= 200 && resp.status < 300)
            return remote::parse_json(resp, "MISA eSign " + what, req.url);
        nlohmann::json j = parse_untrusted_json(resp.body);
        std::string detail;
        if (!j.is_discarded() && j.is_object()) {
            detail = remote::text(j, "userMsg");
            if (detail.empty())
                detail = remote::text(j, "devMsg");
            if (std::string code = remote::text(j, "errorCode"); !code.empty())
                detail = "errorCode " + code + (detail.empty() ? "" : " " + detail);
        }
        throw remote::http_error(resp, "MISA eSign " + what, detail);
    }
}

std::vector<remote::Candidate> MisaESignProvider::fetch_candidates() {
    return misa::parse_certificates(esrm_call("GET", "/general/api/v1/Certificates/by-userId", {},
                                              net::Repeat::Safe, "Certificates/by-userId"));
}

Transaction MisaESignProvider::submit(const SignBatch& batch) {
    const remote::Candidate& c = chosen();
    if (!session_)
        login();
    std::vector<std::string> ids;
    std::string prefix = remote::new_transaction_id("");
    for (std::size_t i = 0; i < batch.items.size(); ++i)
        ids.push_back(prefix.substr(0, 24) + "-" + std::to_string(i + 1)); // <= 36 characters
    Transaction txn;
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + misa::kRequestLifetime;
    txn.message = batch.message;
    txn.id = misa::parse_sign_response(
        esrm_call("POST", "/signing/api/v1/Signing/hash",
                  misa::sign_request(session_->user_id, c.key, batch, ids), net::Repeat::Once,
                  "Signing/hash"));
    txn.state = remote::batch_state(batch, c.cert);
    txn.state["document_ids"] = ids;
    spdlog::info("MISA eSign: transaction {} for {} document(s)", txn.id, batch.items.size());
    return txn;
}

PollResult MisaESignProvider::poll_remote(const Transaction& txn) {
    std::vector<std::string> ids = txn.state.value("document_ids", std::vector<std::string>{});
    return misa::parse_status_response(
        esrm_call("GET", "/signing/api/v1/Signing/status/" + remote::path_segment(txn.id), {},
                  net::Repeat::Safe, "Signing/status"),
        ids);
}

} // namespace neac::providers
