#include "neac/providers/csc.hpp"

#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace neac::providers {
namespace csc {
namespace {

constexpr const char* kRsaEncryption = "1.2.840.113549.1.1.1";
constexpr const char* kEcPublicKey = "1.2.840.10045.2.1";

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string error_text(const nlohmann::json& body) {
    std::string e = remote::text(body, "error");
    std::string d = remote::text(body, "error_description");
    if (e.empty())
        return d;
    return d.empty() ? e : e + ": " + d;
}

std::size_t as_size(const nlohmann::json& v) {
    try {
        if (v.is_number_unsigned() || v.is_number_integer())
            return static_cast<std::size_t>(std::max<long long>(0, v.get<long long>()));
        if (v.is_string())
            return static_cast<std::size_t>(std::stoull(v.get<std::string>()));
    } catch (const std::exception&) {
    }
    return 0;
}

std::vector<Bytes> signature_list(const nlohmann::json& list) {
    std::vector<Bytes> out;
    for (const auto& s : list) {
        if (!s.is_string())
            throw remote_error("CSC signHash: a signature is not a base64 string");
        out.push_back(base64_decode(s.get<std::string>()));
    }
    return out;
}

} // namespace

Info parse_info(const nlohmann::json& r) {
    if (!r.is_object())
        throw remote_error("CSC info: the answer is not a JSON object");
    Info i;
    if (auto a = r.find("asynchronousOperationMode"); a != r.end() && a->is_boolean())
        i.asynchronous = a->get<bool>();
    if (auto m = r.find("methods"); m != r.end() && m->is_array())
        for (const auto& x : *m)
            if (x.is_string())
                i.methods.push_back(x.get<std::string>());
    return i;
}

nlohmann::json list_request() {
    return {{"credentialInfo", false}, {"onlyValid", false}};
}

std::vector<std::string> parse_list(const nlohmann::json& r) {
    auto ids = r.is_object() ? r.find("credentialIDs") : r.end();
    if (!r.is_object() || ids == r.end() || !ids->is_array())
        throw remote_error("CSC credentials/list: the answer has no credentialIDs list");
    std::vector<std::string> out;
    for (const auto& id : *ids)
        if (id.is_string())
            out.push_back(id.get<std::string>());
    return out;
}

nlohmann::json info_request(const std::string& credential_id) {
    return {{"credentialID", credential_id},
            {"certificates", "chain"},
            {"certInfo", true},
            {"authInfo", true}};
}

remote::Candidate parse_credential_info(const nlohmann::json& r, const std::string& credential_id) {
    std::string what = "CSC credential " + credential_id;
    if (!r.is_object())
        throw remote_error(what + ": the answer is not a JSON object");
    remote::Candidate c;
    c.key = credential_id;
    const nlohmann::json cert = r.value("cert", nlohmann::json::object());
    const nlohmann::json certs = cert.value("certificates", nlohmann::json::array());
    if (!certs.is_array() || certs.empty())
        throw remote_error(what + " has no certificate (cert/certificates)");
    for (std::size_t i = 0; i < certs.size(); ++i) {
        if (!certs[i].is_string())
            throw remote_error(what + ": certificate " + std::to_string(i + 1) +
                               " is not a string");
        remote::add_listed_certificate(c.cert, i, certs[i].get<std::string>(), what);
    }
    const nlohmann::json key = r.value("key", nlohmann::json::object());
    if (auto a = key.find("algo"); a != key.end() && a->is_array())
        for (const auto& o : *a)
            if (o.is_string())
                c.algorithms.push_back(o.get<std::string>());
    std::string key_status = remote::text(key, "status");
    std::string cert_status = remote::text(cert, "status");
    c.usable = (key_status.empty() || key_status == "enabled") &&
               (cert_status.empty() || cert_status == "valid");
    c.status = !cert_status.empty() && cert_status != "valid"   ? "certificate " + cert_status
               : !key_status.empty() && key_status != "enabled" ? "key " + key_status
                                                                : cert_status;
    // The spec's default is 1: a service that says nothing allows one hash per authorisation.
    c.multisign = r.contains("multisign") ? as_size(r["multisign"]) : 1;
    if (c.multisign == 0)
        c.multisign = 1;
    c.cert.label = "CSC " + credential_id;
    return c;
}

Algorithms choose_algorithms(const crypto::SignatureAlgorithm& alg,
                             const std::vector<std::string>& algos) {
    Algorithms a;
    std::string hash_oid = crypto::digest_oid(alg.digest);
    auto offered = [&](const std::string& oid) { return algos.empty() || has(algos, oid); };
    if (alg.scheme == crypto::SignatureScheme::RsaPkcs1v15) {
        if (offered(kRsaEncryption))
            return {kRsaEncryption, hash_oid};
        const char* combined =
            alg.digest == crypto::DigestAlgorithm::Sha256   ? "1.2.840.113549.1.1.11"
            : alg.digest == crypto::DigestAlgorithm::Sha384 ? "1.2.840.113549.1.1.12"
                                                            : "1.2.840.113549.1.1.13";
        if (offered(combined))
            return {combined, ""};
    } else if (alg.scheme == crypto::SignatureScheme::Ecdsa) {
        const char* combined = alg.digest == crypto::DigestAlgorithm::Sha256 ? "1.2.840.10045.4.3.2"
                               : alg.digest == crypto::DigestAlgorithm::Sha384
                                   ? "1.2.840.10045.4.3.3"
                                   : "1.2.840.10045.4.3.4";
        if (offered(combined))
            return {combined, ""};
        if (offered(kEcPublicKey))
            return {kEcPublicKey, hash_oid};
    }
    std::string list;
    for (const auto& o : algos)
        list += (list.empty() ? "" : ", ") + o;
    throw input_error(std::string("the CSC credential offers no algorithm for ") +
                      crypto::scheme_name(alg.scheme) + " with " + crypto::digest_name(alg.digest) +
                      " (key/algo: " + list + ")")
        .hint("try another --digest");
}

nlohmann::json authorize_request(const std::string& credential_id, const SignBatch& batch) {
    nlohmann::json hashes = nlohmann::json::array();
    for (const SignItem& item : batch.items)
        hashes.push_back(base64_encode(item.digest));
    std::string description = batch.message;
    if (description.size() > 500) {
        description.resize(500);
        while (!description.empty() &&
               (static_cast<unsigned char>(description.back()) & 0xC0) == 0x80)
            description.pop_back();
        if (!description.empty() && (static_cast<unsigned char>(description.back()) & 0xC0) == 0xC0)
            description.pop_back();
    }
    return {{"credentialID", credential_id},
            {"numSignatures", batch.items.size()},
            {"hashes", hashes},
            {"hashAlgorithmOID", crypto::digest_oid(batch.algorithm.digest)},
            {"description", description}};
}

nlohmann::json sign_hash_request(const std::string& credential_id, const std::string& sad,
                                 const SignBatch& batch, const Algorithms& algos,
                                 bool asynchronous) {
    nlohmann::json hashes = nlohmann::json::array();
    for (const SignItem& item : batch.items)
        hashes.push_back(base64_encode(item.digest));
    nlohmann::json j{{"credentialID", credential_id},
                     {"SAD", sad},
                     {"hashes", hashes},
                     {"signAlgo", algos.sign_algo},
                     {"operationMode", asynchronous ? "A" : "S"}};
    if (!algos.hash_algo.empty())
        j["hashAlgorithmOID"] = algos.hash_algo;
    if (asynchronous)
        j["validity_period"] = static_cast<long long>(kRequestLifetime.count()) * 1000;
    return j;
}

SignAnswer parse_sign_hash(const nlohmann::json& r) {
    if (!r.is_object())
        throw remote_error("CSC signHash: the answer is not a JSON object");
    SignAnswer a;
    if (auto s = r.find("signatures"); s != r.end() && s->is_array())
        a.signatures = signature_list(*s);
    a.response_id = remote::text(r, "responseID");
    if (a.signatures.empty() && a.response_id.empty())
        throw remote_error("CSC signHash: the answer has neither signatures nor responseID");
    return a;
}

PollResult classify_error(long status, const nlohmann::json& body) {
    PollResult r;
    std::string text = error_text(body);
    std::string l = lower(text);
    if (status == 202 ||
        (status == 400 && l.find("previous asynchronous signature request") != std::string::npos)) {
        r.state = TransactionState::Pending;
        return r;
    }
    r.detail = text.empty() ? "HTTP " + std::to_string(status) : text;
    if (l.find("access_denied") != std::string::npos || l.find("denied") != std::string::npos ||
        l.find("reject") != std::string::npos || l.find("cancel") != std::string::npos)
        r.state = TransactionState::Rejected;
    else if (l.find("expired") != std::string::npos || l.find("timeout") != std::string::npos)
        r.state = TransactionState::Expired;
    else
        r.state = TransactionState::Failed;
    return r;
}

} // namespace csc

CscProvider::CscProvider(const ProviderConfig& config, std::shared_ptr<HttpTransport> http)
    // The spec's default multisign is 1: one hash per authorisation until credentials/info says.
    : RemoteProvider(config, std::move(http), "csc", 1), base_(remote::endpoint(config_)) {
    if (base_.size() < 7 || base_.compare(base_.size() - 7, 7, "/csc/v2") != 0)
        base_ += "/csc/v2";
    token_ = remote::secret_from_env(config_, "token-env");
    http_->add_secret(token_);
}

net::HttpResponse CscProvider::post(const std::string& method, const nlohmann::json& body,
                                    net::Repeat repeat) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = base_ + "/" + method;
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json"},
                   {"Authorization", "Bearer " + token_}};
    req.body = body.dump();
    req.total_timeout = limits::kRequestTimeout;
    return http_->send(req, repeat);
}

nlohmann::json CscProvider::post_ok(const std::string& method, const nlohmann::json& body,
                                    net::Repeat repeat) {
    net::HttpResponse resp = post(method, body, repeat);
    if (resp.status == 200)
        return remote::parse_json(resp, "CSC " + method, base_ + "/" + method);
    nlohmann::json j = parse_untrusted_json(resp.body);
    Error e = remote::http_error(resp, "CSC " + method, j.is_discarded() ? "" : csc::error_text(j));
    if (resp.status == 401)
        e.hint("the access token in the variable named by token-env is not accepted (expired?); "
               "get a new one");
    throw e;
}

std::vector<remote::Candidate> CscProvider::fetch_candidates() {
    if (!info_known_) {
        info_ = csc::parse_info(post_ok("info", nlohmann::json::object(), net::Repeat::Safe));
        info_known_ = true;
    }
    std::vector<std::string> ids;
    if (std::string id = remote::setting(config_, "credential"); !id.empty())
        ids.push_back(id);
    else
        ids = csc::parse_list(post_ok("credentials/list", csc::list_request(), net::Repeat::Safe));
    std::vector<remote::Candidate> out;
    for (const std::string& id : ids)
        out.push_back(csc::parse_credential_info(
            post_ok("credentials/info", csc::info_request(id), net::Repeat::Safe), id));
    return out;
}

SignBatch CscProvider::batch_from_state(const nlohmann::json& state) const {
    SignBatch b;
    try {
        for (const auto& d : state.at("digests"))
            b.items.push_back(SignItem{"", base64_decode(d.get<std::string>())});
        b.algorithm.digest =
            crypto::parse_digest_algorithm(state.at("digest_algorithm").get<std::string>());
        std::string scheme = state.at("scheme").get<std::string>();
        b.algorithm.scheme = scheme == "ecdsa" ? crypto::SignatureScheme::Ecdsa
                                               : crypto::SignatureScheme::RsaPkcs1v15;
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::BadInput, std::string("damaged CSC transaction state: ") + e.what());
    }
    return b;
}

PollResult CscProvider::sign_with(const std::string& sad, const SignBatch& batch,
                                  nlohmann::json& state) {
    csc::Algorithms algos{state.value("sign_algo", ""), state.value("hash_algo", "")};
    std::string credential = state.value("credential_id", "");
    bool async = state.value("asynchronous", false);
    net::HttpResponse resp =
        post("signatures/signHash", csc::sign_hash_request(credential, sad, batch, algos, async),
             net::Repeat::Once);
    PollResult r;
    if (resp.status != 200) {
        nlohmann::json j = parse_untrusted_json(resp.body);
        if (resp.status == 401 || resp.status >= 500 || j.is_discarded())
            throw remote::http_error(resp, "CSC signatures/signHash",
                                     j.is_discarded() ? "" : csc::error_text(j));
        r = csc::classify_error(resp.status, j);
        if (r.state == TransactionState::Pending) {
            // Only signPolling may be pending; signHash itself must give a result or an id.
            r.state = TransactionState::Failed;
            r.detail =
                "signHash answered HTTP " + std::to_string(resp.status) + " without a result";
        }
        state["phase"] = "done";
        return r;
    }
    csc::SignAnswer a =
        csc::parse_sign_hash(remote::parse_json(resp, "CSC signatures/signHash", base_));
    if (!a.signatures.empty()) {
        state["phase"] = "done";
        remote::keep_signatures(state, a.signatures);
        r.state = TransactionState::Approved;
        r.signatures = std::move(a.signatures);
    } else {
        state["phase"] = "sign";
        state["response_id"] = a.response_id;
    }
    return r;
}

Transaction CscProvider::submit(const SignBatch& batch) {
    const remote::Candidate& c = chosen();
    if (batch.items.size() > batch_cap())
        throw Error(ErrorKind::Internal, "CSC: batch larger than multisign");
    csc::Algorithms algos = csc::choose_algorithms(batch.algorithm, c.algorithms);
    Transaction txn;
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + csc::kRequestLifetime;
    txn.message = batch.message;
    txn.state = remote::batch_state(batch, c.cert);
    txn.state["credential_id"] = c.key;
    txn.state["sign_algo"] = algos.sign_algo;
    txn.state["hash_algo"] = algos.hash_algo;
    txn.state["asynchronous"] = info_.asynchronous;

    // The authorisation is the request that reaches the phone: sent once, never repeated.
    net::HttpResponse resp =
        post("credentials/authorize", csc::authorize_request(c.key, batch), net::Repeat::Once);
    nlohmann::json j = parse_untrusted_json(resp.body);
    if (resp.status == 202) {
        std::string handle = j.is_discarded() ? "" : remote::text(j, "handle");
        if (handle.empty())
            throw remote_error("CSC credentials/authorize answered 202 without a handle");
        txn.id = handle;
        txn.state["phase"] = "authorize";
        txn.state["handle"] = handle;
    } else if (resp.status == 200) {
        nlohmann::json ok = remote::parse_json(resp, "CSC credentials/authorize", base_);
        std::string sad = remote::text(ok, "SAD");
        if (sad.empty())
            throw remote_error("CSC credentials/authorize: the answer has no SAD");
        http_->add_secret(sad);
        PollResult r = sign_with(sad, batch, txn.state);
        if (r.state == TransactionState::Rejected || r.state == TransactionState::Expired ||
            r.state == TransactionState::Failed) {
            txn.state["outcome"] = transaction_state_name(r.state);
            txn.state["detail"] = r.detail;
        }
        txn.id = txn.state.value("response_id", "");
        if (txn.id.empty())
            txn.id = remote::new_transaction_id("csc-");
    } else {
        if (!j.is_discarded() && resp.status == 400 &&
            csc::lower(csc::error_text(j)).find("too high") != std::string::npos)
            throw remote_error("CSC refused the batch size (" + std::to_string(batch.items.size()) +
                               " > multisign)");
        throw remote::http_error(resp, "CSC credentials/authorize",
                                 j.is_discarded() ? "" : csc::error_text(j));
    }
    spdlog::info("CSC: transaction {} for {} document(s), phase {}", txn.id, batch.items.size(),
                 txn.state.value("phase", ""));
    return txn;
}

PollResult CscProvider::poll_remote(const Transaction& txn) {
    nlohmann::json state = txn.state;
    std::string phase = state.value("phase", "");
    PollResult r;
    if (phase == "done") {
        if (std::optional<PollResult> kept = remote::kept_signatures(state))
            return *kept;
        std::string outcome = state.value("outcome", "failed");
        r.state = outcome == "rejected"  ? TransactionState::Rejected
                  : outcome == "expired" ? TransactionState::Expired
                                         : TransactionState::Failed;
        r.detail = state.value("detail", "");
        return r;
    }
    if (phase == "authorize") {
        net::HttpResponse resp = post("credentials/authorizeCheck",
                                      {{"handle", state.value("handle", "")}}, net::Repeat::Safe);
        nlohmann::json j = parse_untrusted_json(resp.body);
        if (resp.status == 200) {
            nlohmann::json ok = remote::parse_json(resp, "CSC credentials/authorizeCheck", base_);
            std::string sad = remote::text(ok, "SAD");
            if (sad.empty())
                throw remote_error("CSC credentials/authorizeCheck: the answer has no SAD");
            http_->add_secret(sad);
            r = sign_with(sad, batch_from_state(state), state);
            r.new_state = state;
            return r;
        }
        if (resp.status == 401 || resp.status >= 500 || (resp.status != 202 && j.is_discarded()))
            throw remote::http_error(resp, "CSC credentials/authorizeCheck",
                                     j.is_discarded() ? "" : csc::error_text(j));
        return csc::classify_error(resp.status, j.is_discarded() ? nlohmann::json() : j);
    }
    if (phase == "sign") {
        net::HttpResponse resp =
            post("signatures/signPolling", {{"requestID", state.value("response_id", "")}},
                 net::Repeat::Safe);
        nlohmann::json j = parse_untrusted_json(resp.body);
        if (resp.status == 200) {
            csc::SignAnswer a =
                csc::parse_sign_hash(remote::parse_json(resp, "CSC signatures/signPolling", base_));
            if (a.signatures.empty())
                return r; // still processing
            r.state = TransactionState::Approved;
            r.signatures = std::move(a.signatures);
            return r;
        }
        if (resp.status == 401 || resp.status >= 500 || (resp.status != 202 && j.is_discarded()))
            throw remote::http_error(resp, "CSC signatures/signPolling",
                                     j.is_discarded() ? "" : csc::error_text(j));
        return csc::classify_error(resp.status, j.is_discarded() ? nlohmann::json() : j);
    }
    throw Error(ErrorKind::BadInput,
                "CSC transaction " + txn.id + " has an unknown phase \"" + phase + "\"");
}

} // namespace neac::providers
