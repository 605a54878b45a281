#include "neac/providers/viettel_mysign.hpp"

#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"

#include <cctype>
#include <spdlog/spdlog.h>

namespace neac::providers {
namespace viettel {
namespace {

constexpr const char* kRsaEncryption = "1.2.840.113549.1.1.1";

// Viettel answers errors as {error: <number>, error_description}; error 0 means none.
long error_number(const nlohmann::json& r) {
    if (remote::text(r, "error").empty()) // not an object, no error, null or ""
        return 0;
    return remote::integer<long>(r, "error", 0);
}

Error api_error(const std::string& what, const nlohmann::json& r) {
    long code = error_number(r);
    std::string desc = remote::text(r, "error_description");
    Error e = remote_error("Viettel MySign " + what + " failed: error " + std::to_string(code) +
                           (desc.empty() ? "" : " (" + desc + ")"));
    switch (code) {
    case 58007:
    case 86024:
        e.hint("Viettel does not accept the client id or secret (client-id-env, "
               "client-secret-env)");
        break;
    case 58008:
    case 59033:
        e.hint("Viettel MySign does not know this user: check the profile's account");
        break;
    default:
        e.hint("see the description above; try again later if it is a service failure");
    }
    return e;
}

Bytes decode_signature(std::string b64) {
    // The C# sample strips CR/LF before decoding: the service wraps some signatures.
    std::string clean;
    for (char c : b64)
        if (c != '\r' && c != '\n' && c != ' ')
            clean += c;
    return base64_decode(clean);
}

std::vector<Bytes> signature_list(const nlohmann::json& list) {
    std::vector<Bytes> out;
    for (const auto& s : list) {
        if (s.is_string())
            out.push_back(decode_signature(s.get<std::string>()));
        else if (s.is_object()) // {document_id, signature} in some versions
            out.push_back(decode_signature(remote::text(s, "signature")));
    }
    return out;
}

} // namespace

nlohmann::json login_request(const Credentials& c, const std::string& user_id) {
    return {{"client_id", c.client_id},
            {"client_secret", c.client_secret},
            {"profile_id", c.profile_id},
            {"user_id", user_id}};
}

Token parse_login(const nlohmann::json& r) {
    if (error_number(r) != 0)
        throw api_error("login", r);
    Token t;
    t.access_token = remote::text(r, "access_token");
    if (t.access_token.empty())
        throw remote_error("Viettel MySign login: the answer has no access_token");
    // A string in the samples.
    t.expires_in = remote::token_lifetime(remote::text(r, "expires_in"), t.expires_in);
    return t;
}

nlohmann::json certificates_request(const Credentials& c, const std::string& user_id) {
    return {{"client_id", c.client_id},
            {"client_secret", c.client_secret},
            {"profile_id", c.profile_id},
            {"user_id", user_id},
            {"certificates", "chain"},
            {"certInfo", true},
            {"authInfo", true}};
}

std::vector<remote::Candidate> parse_certificates(const nlohmann::json& r) {
    if (r.is_object()) {
        if (error_number(r) != 0)
            throw api_error("certificates/info", r);
        throw remote_error("Viettel MySign certificates/info: expected a list of credentials");
    }
    if (!r.is_array())
        throw remote_error("Viettel MySign certificates/info: expected a list of credentials");
    std::vector<remote::Candidate> out;
    for (const auto& item : r) {
        remote::Candidate c;
        c.key = remote::text(item, "credential_id");
        std::string what = "Viettel MySign credential " + c.key;
        const nlohmann::json cert = item.value("cert", nlohmann::json::object());
        const nlohmann::json certs = cert.value("certificates", nlohmann::json::array());
        if (!certs.is_array() || certs.empty())
            throw remote_error(what + " has no certificate");
        for (std::size_t i = 0; i < certs.size(); ++i) {
            remote::add_listed_certificate(c.cert, i, certs[i].get<std::string>(), what);
        }
        c.status = remote::text(cert, "status");
        const nlohmann::json key = item.value("key", nlohmann::json::object());
        std::string key_status = remote::text(key, "status");
        c.usable = (c.status.empty() || c.status == "valid") &&
                   (key_status.empty() || key_status == "enabled");
        if (!c.usable && c.status.empty())
            c.status = "key " + key_status;
        if (auto a = key.find("algo"); a != key.end() && a->is_array())
            for (const auto& o : *a)
                if (o.is_string())
                    c.algorithms.push_back(o.get<std::string>());
        std::string ms = remote::text(item, "multisign");
        try {
            if (!ms.empty())
                c.multisign = static_cast<std::size_t>(std::stoull(ms));
        } catch (const std::exception&) {
        }
        c.cert.label = "Viettel MySign " + c.key;
        out.push_back(std::move(c));
    }
    return out;
}

std::string sign_algorithm_oid(const crypto::SignatureAlgorithm& alg) {
    if (alg.scheme == crypto::SignatureScheme::Ecdsa) {
        switch (alg.digest) {
        case crypto::DigestAlgorithm::Sha256:
            return "1.2.840.10045.4.3.2";
        case crypto::DigestAlgorithm::Sha384:
            return "1.2.840.10045.4.3.3";
        case crypto::DigestAlgorithm::Sha512:
            return "1.2.840.10045.4.3.4";
        }
    }
    if (alg.scheme != crypto::SignatureScheme::RsaPkcs1v15)
        throw input_error(std::string("Viettel MySign signs RSA PKCS#1 v1.5 and ECDSA only, not ") +
                          crypto::scheme_name(alg.scheme));
    return kRsaEncryption;
}

nlohmann::json sign_request(const Credentials& c, const std::string& credential_id,
                            const SignBatch& batch, const std::vector<std::string>& document_ids) {
    nlohmann::json hashes = nlohmann::json::array();
    nlohmann::json docs = nlohmann::json::array();
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
        hashes.push_back(base64_encode(batch.items[i].digest));
        docs.push_back({{"document_id", document_ids.at(i)},
                        {"document_name", remote::base64_name(batch.items[i].document_name, 100)}});
    }
    return {{"client_id", c.client_id},
            {"client_secret", c.client_secret},
            {"credentialID", credential_id}, // capital D: the service is case-sensitive
            {"numSignatures", batch.items.size()},
            {"description", remote::base64_name(batch.message, 100)},
            {"documents", docs},
            {"hash", hashes},
            {"hashAlgo", crypto::digest_oid(batch.algorithm.digest)},
            {"signAlgo", sign_algorithm_oid(batch.algorithm)},
            {"async", 1}};
}

SignAnswer parse_sign_response(const nlohmann::json& r) {
    if (error_number(r) != 0)
        throw api_error("signHash", r);
    SignAnswer a;
    a.transaction_id = remote::text(r, "transactionId");
    if (auto s = r.find("signatures"); s != r.end() && s->is_array() && !s->empty())
        a.signatures = signature_list(*s);
    if (a.transaction_id.empty() && a.signatures.empty())
        throw remote_error("Viettel MySign signHash: the answer has neither transactionId nor "
                           "signatures");
    return a;
}

nlohmann::json status_request(const std::string& transaction_id) {
    return {{"transactionId", transaction_id}};
}

PollResult parse_status_response(const nlohmann::json& r) {
    if (error_number(r) != 0)
        throw api_error("requests/status", r);
    PollResult out;
    std::string status = remote::text(r, "status");
    std::string desc = remote::text(r, "description");
    auto with = [&](const std::string& text) { return desc.empty() ? text : text + ": " + desc; };
    if (status == "1") {
        out.state = TransactionState::Approved;
        if (auto s = r.find("signatures"); s != r.end() && s->is_array())
            out.signatures = signature_list(*s);
    } else if (status == "4000" || status == "6000" || status.empty()) {
        out.state = TransactionState::Pending;
    } else if (status == "4001") {
        out.state = TransactionState::Expired;
        out.detail = with("4001 the signer did not confirm in time");
    } else if (status == "4002") {
        out.state = TransactionState::Rejected;
        out.detail = with("4002 the signer rejected the request");
    } else if (status == "4004") {
        out.state = TransactionState::Failed;
        out.detail = with("4004 signing failed at Viettel");
    } else if (status == "4005") {
        out.state = TransactionState::Failed;
        out.detail = with("4005 the signing quota of this subscription is used up");
    } else if (status == "13004") {
        out.state = TransactionState::Failed;
        out.detail = with("13004 the certificate is expired or revoked");
    } else if (status == "50000") {
        out.state = TransactionState::Failed;
        out.detail = with("50000 internal error at Viettel");
    } else {
        out.state = TransactionState::Failed;
        out.detail = with("unknown status " + status);
    }
    return out;
}

} // namespace viettel

namespace {

// Viettel's own error answers carry a numeric `error`; anything else (a proxy's 5xx page, a
// gateway's JSON) is reported as the HTTP failure it is.
bool viettel_error_object(const net::HttpResponse& resp, const nlohmann::json& j) {
    if (resp.status >= 500 || j.is_discarded() || !j.is_object())
        return false;
    auto e = j.find("error");
    return e != j.end() && (e->is_number_integer() ||
                            (e->is_string() && !e->get<std::string>().empty() &&
                             std::isdigit(static_cast<unsigned char>(e->get<std::string>()[0]))));
}

} // namespace

ViettelMySignProvider::ViettelMySignProvider(const ProviderConfig& config,
                                             std::shared_ptr<HttpTransport> http)
    : RemoteProvider(config, std::move(http), "viettel-mysign", viettel::kBatchCap,
                     viettel::kBatchCap),
      base_(remote::endpoint(config_)) {
    creds_.client_id = remote::secret_from_env(config_, "client-id-env");
    creds_.client_secret = remote::secret_from_env(config_, "client-secret-env");
    creds_.profile_id = remote::setting(config_, "profile-id", viettel::kDefaultProfileId);
    http_->add_secret(creds_.client_id);
    http_->add_secret(creds_.client_secret);
}

void ViettelMySignProvider::login() {
    net::HttpRequest req;
    req.method = "POST";
    req.url = base_ + "/vtss/service/ras/v1/login";
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = viettel::login_request(creds_, config_.account).dump();
    net::HttpResponse resp = http_->send(req, net::Repeat::Safe);
    nlohmann::json j = parse_untrusted_json(resp.body);
    if (resp.status < 200 || resp.status >= 300) {
        if (viettel_error_object(resp, j))
            viettel::parse_login(j); // throws with Viettel's explanation
        throw remote::http_error(resp, "Viettel MySign login",
                                 remote::text(j, "error_description"));
    }
    viettel::Token t =
        viettel::parse_login(remote::parse_json(resp, "Viettel MySign login", req.url));
    token_ = t.access_token;
    http_->add_secret(token_);
    // Renew a minute early so that a long wait never polls with a token about to expire.
    token_expires_ = std::chrono::steady_clock::now() + t.expires_in - std::chrono::seconds(60);
}

nlohmann::json ViettelMySignProvider::call(const std::string& path, const nlohmann::json& body,
                                           net::Repeat repeat, const std::string& what) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = base_ + path;
    req.body = body.dump();
    req.total_timeout = limits::kRequestTimeout;
    for (int attempt = 0;; ++attempt) {
        if (token_.empty() || std::chrono::steady_clock::now() >= token_expires_)
            login();
        req.headers = {{"Content-Type", "application/json"},
                       {"Accept", "application/json"},
                       {"Authorization", "Bearer " + token_}};
        net::HttpResponse resp = http_->send(req, repeat);
        // A 401 is refused before anything is done, so even signHash may go again once.
        if (resp.status == 401 && attempt == 0) {
            token_.clear();
            continue;
        }
        if (resp.status >= 200 && resp.status < 300)
            return remote::parse_json(resp, "Viettel MySign " + what, req.url);
        nlohmann::json j = parse_untrusted_json(resp.body);
        if (viettel_error_object(resp, j))
            return j; // the parsers explain Viettel's error object
        throw remote::http_error(resp, "Viettel MySign " + what,
                                 remote::text(j, "error_description"));
    }
}

std::vector<remote::Candidate> ViettelMySignProvider::fetch_candidates() {
    return viettel::parse_certificates(call("/vtss/service/certificates/info",
                                            viettel::certificates_request(creds_, config_.account),
                                            net::Repeat::Safe, "certificates/info"));
}

Transaction ViettelMySignProvider::submit(const SignBatch& batch) {
    const remote::Candidate& c = chosen();
    std::vector<std::string> ids;
    std::string prefix = remote::new_transaction_id("");
    for (std::size_t i = 0; i < batch.items.size(); ++i)
        ids.push_back(prefix.substr(0, 12) + "-" + std::to_string(i + 1));
    Transaction txn;
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + viettel::kRequestLifetime;
    txn.message = batch.message;
    viettel::SignAnswer a = viettel::parse_sign_response(
        call("/vtss/service/signHash", viettel::sign_request(creds_, c.key, batch, ids),
             net::Repeat::Once, "signHash"));
    txn.id = a.transaction_id.empty() ? "sync-" + prefix : a.transaction_id;
    txn.state = remote::batch_state(batch, c.cert);
    txn.state["credential_id"] = c.key;
    remote::keep_signatures(txn.state, a.signatures);
    spdlog::info("Viettel MySign: transaction {} for {} document(s)", txn.id, batch.items.size());
    return txn;
}

PollResult ViettelMySignProvider::poll_remote(const Transaction& txn) {
    if (std::optional<PollResult> kept = remote::kept_signatures(txn.state))
        return *kept;
    return viettel::parse_status_response(call("/vtss/service/requests/status",
                                               viettel::status_request(txn.id), net::Repeat::Safe,
                                               "requests/status"));
}

} // namespace neac::providers
