#include "neac/providers/vnpt_smartca.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/limits.hpp"

#include "neac/util/error.hpp"
#include "neac/util/json.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>
#include <spdlog/spdlog.h>

namespace neac::providers {
namespace vnpt {
namespace {

using remote::contains_any;

int status_code(const nlohmann::json& r) {
    return remote::integer<int>(r, "status_code", 200); // some answers carry only data
}

// VNPT's error codes (integration guide §3.1) with what the user should do about them.
Error status_error(const std::string& what, const nlohmann::json& r) {
    int code = status_code(r);
    std::string message = remote::text(r, "message");
    if (message.empty())
        message = remote::text(r, "code");
    Error e = remote_error("VNPT SmartCA " + what + " failed: status_code " + std::to_string(code) +
                           (message.empty() ? "" : " (" + message + ")"));
    switch (code) {
    case 400:
        e.hint("VNPT refused the request as malformed; this is a bug in neac, please report it");
        break;
    case 401:
        e.hint("the SP credentials (sp-id-env, sp-password-env) or the user's CCCD are not "
               "accepted by VNPT SmartCA");
        break;
    case 403:
        e.hint("VNPT says the certificate is not valid (expired or revoked)");
        break;
    default:
        e.hint("VNPT SmartCA's service failed; try again later");
    }
    return e;
}

std::string utc_stamp(std::chrono::system_clock::time_point t) {
    return utc_text(t, "%Y%m%d%H%M%SZ");
}

// Signatures in request order: matched by doc_id when every item carries one, else as listed.
// When some are missing only the present ones are returned, so the count check names the gap.
std::vector<Bytes> signatures_in_order(const nlohmann::json& list,
                                       const std::vector<std::string>& doc_ids) {
    bool by_id = !doc_ids.empty();
    for (const auto& s : list)
        if (remote::text(s, "doc_id").empty())
            by_id = false;
    std::vector<Bytes> out;
    if (!by_id) {
        for (const auto& s : list)
            out.push_back(base64_decode(remote::text(s, "signature_value")));
        return out;
    }
    std::vector<std::optional<Bytes>> slots(doc_ids.size());
    for (const auto& s : list) {
        std::string id = remote::text(s, "doc_id");
        auto it = std::find(doc_ids.begin(), doc_ids.end(), id);
        if (it == doc_ids.end())
            throw remote_error("VNPT SmartCA returned a signature for an unknown document \"" + id +
                               "\"");
        auto& slot = slots[static_cast<std::size_t>(it - doc_ids.begin())];
        if (slot)
            throw remote_error("VNPT SmartCA returned two signatures for document \"" + id + "\"");
        slot = base64_decode(remote::text(s, "signature_value"));
    }
    for (auto& slot : slots)
        if (slot)
            out.push_back(std::move(*slot));
    return out;
}

bool status_is_not_found(const nlohmann::json& r) {
    return status_code(r) == 404 ||
           contains_any(remote::text(r, "message"), {"NOT_FOUND", "not found"});
}

} // namespace

nlohmann::json certificate_request(const Credentials& c, const std::string& user_id,
                                   const std::string& serial, const std::string& transaction_id) {
    nlohmann::json j{{"sp_id", c.sp_id},
                     {"sp_password", c.sp_password},
                     {"user_id", user_id},
                     {"transaction_id", transaction_id}};
    if (!serial.empty())
        j["serial_number"] = serial;
    return j;
}

std::vector<remote::Candidate> parse_certificates(const nlohmann::json& r) {
    if (!r.is_object())
        throw remote_error("VNPT SmartCA get_certificate: the answer is not a JSON object");
    if (status_code(r) != 200)
        throw status_error("get_certificate", r);
    const nlohmann::json* list = nullptr;
    auto data = r.find("data");
    if (data != r.end() && data->is_object() && data->contains("user_certificates"))
        list = &(*data)["user_certificates"];
    else if (data != r.end() && data->is_array())
        list = &*data;
    std::vector<remote::Candidate> out;
    if (!list || list->is_null())
        return out;
    if (!list->is_array())
        throw remote_error("VNPT SmartCA get_certificate: user_certificates is not a list");
    for (const auto& item : *list) {
        remote::Candidate c;
        std::string serial = remote::text(item, "serial_number");
        std::string what = "VNPT SmartCA certificate " + (serial.empty() ? "?" : serial);
        c.cert.certificate =
            remote::certificate_from_base64(remote::text(item, "cert_data"), what + " cert_data");
        auto chain = item.find("chain_data");
        auto add_chain = [&](const nlohmann::json& v) {
            if (v.is_string() && !v.get<std::string>().empty())
                c.cert.chain.push_back(
                    remote::certificate_from_base64(v.get<std::string>(), what + " chain_data"));
        };
        if (chain != item.end() && chain->is_object()) {
            for (const char* k : {"ca_cert", "root_cert"})
                if (chain->contains(k))
                    add_chain((*chain)[k]);
        } else if (chain != item.end() && chain->is_array()) {
            for (const auto& v : *chain)
                add_chain(v);
        }
        c.service_type = remote::text(item, "service_type");
        c.key = serial;
        c.status = remote::text(item, "cert_status");
        c.cert.label = "VNPT SmartCA " + remote::text(item, "service_name");
        // Localised text ("Đang hoạt động" = active); only clear negatives disable a certificate.
        c.usable = !(contains_any(c.status, {"REVOKED", "EXPIRED", "SUSPEND", "Thu hồi", "Hết hạn",
                                             "Tạm dừng", "INACTIVE"}));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<std::string> document_ids(const SignBatch& batch) {
    std::vector<std::string> ids;
    std::set<std::string> used;
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
        std::string base = batch.items[i].document_name.empty()
                               ? "document-" + std::to_string(i + 1)
                               : batch.items[i].document_name;
        if (base.size() > 90)
            base = base.substr(0, 90);
        while (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0x80)
            base.pop_back(); // no half UTF-8 character
        if (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0xC0)
            base.pop_back();
        std::string id = base;
        for (int n = 2; !used.insert(id).second; ++n)
            id = base + " (" + std::to_string(n) + ")";
        ids.push_back(id);
    }
    return ids;
}

nlohmann::json sign_request(const Credentials& c, const std::string& user_id,
                            const std::string& serial, const std::string& transaction_id,
                            const SignBatch& batch, const std::vector<std::string>& doc_ids,
                            std::chrono::system_clock::time_point now) {
    nlohmann::json files = nlohmann::json::array();
    for (std::size_t i = 0; i < batch.items.size(); ++i)
        files.push_back({{"data_to_be_signed", hex_encode(batch.items[i].digest)},
                         {"doc_id", doc_ids.at(i)},
                         {"file_type", "pdf"},
                         {"sign_type", "hash"}});
    nlohmann::json j{{"sp_id", c.sp_id},
                     {"sp_password", c.sp_password},
                     {"user_id", user_id},
                     {"transaction_id", transaction_id},
                     {"transaction_desc", batch.message},
                     {"time_stamp", utc_stamp(now)},
                     {"sign_files", files}};
    if (!serial.empty())
        j["serial_number"] = serial;
    return j;
}

SignAnswer parse_sign_response(const nlohmann::json& r, const std::vector<std::string>& doc_ids) {
    if (!r.is_object())
        throw remote_error("VNPT SmartCA sign: the answer is not a JSON object");
    if (status_code(r) != 200)
        throw status_error("sign", r);
    SignAnswer a;
    auto data = r.find("data");
    if (data == r.end() || !data->is_object())
        throw remote_error("VNPT SmartCA sign: the answer has no data object");
    a.transaction_id = remote::text(*data, "transaction_id");
    a.tran_code = remote::text(*data, "tran_code");
    if (a.transaction_id.empty() && a.tran_code.empty())
        throw remote_error("VNPT SmartCA sign: the answer carries no transaction id");
    // The generic 769 API may sign synchronously: signed_files is then already present.
    for (const char* key : {"signed_files", "signatures"})
        if (auto s = data->find(key); s != data->end() && s->is_array() && !s->empty())
            a.signatures = signatures_in_order(*s, doc_ids);
    return a;
}

PollResult parse_status_response(const nlohmann::json& r, const std::vector<std::string>& doc_ids) {
    if (!r.is_object())
        throw remote_error("VNPT SmartCA status: the answer is not a JSON object");
    PollResult out;
    int code = status_code(r);
    std::string message = remote::text(r, "message");
    const nlohmann::json* sigs = nullptr;
    if (auto data = r.find("data"); data != r.end() && data->is_object()) {
        for (const char* key : {"signatures", "signed_files"})
            if (auto s = data->find(key); s != data->end() && s->is_array() && !s->empty())
                sigs = &*s;
    }
    if (code == 200 && sigs) {
        out.state = TransactionState::Approved;
        out.signatures = signatures_in_order(*sigs, doc_ids);
        return out;
    }
    if (contains_any(message, {"REJECT", "DENIED", "CANCEL", "từ chối", "TU_CHOI", "huỷ", "hủy"})) {
        out.state = TransactionState::Rejected;
        out.detail = message;
        return out;
    }
    if (contains_any(message, {"EXPIRE", "TIMEOUT", "TIME_OUT", "hết hạn", "quá hạn"})) {
        out.state = TransactionState::Expired;
        out.detail = message;
        return out;
    }
    if (code == 200)
        return out; // pending: sig_wait_for_user_confirm, PENDING, ...
    if (code == 403) {
        out.state = TransactionState::Failed;
        out.detail = "the certificate is not valid (expired or revoked)" +
                     (message.empty() ? std::string() : ": " + message);
        return out;
    }
    throw status_error("status", r);
}

} // namespace vnpt

VnptSmartCaProvider::VnptSmartCaProvider(const ProviderConfig& config,
                                         std::shared_ptr<HttpTransport> http)
    : RemoteProvider(config, std::move(http), "vnpt-smartca", vnpt::kBatchCap),
      base_(remote::endpoint(config_)) {
    creds_.sp_id = remote::secret_from_env(config_, "sp-id-env");
    creds_.sp_password = remote::secret_from_env(config_, "sp-password-env");
    http_->add_secret(creds_.sp_id);
    http_->add_secret(creds_.sp_password);
}

nlohmann::json VnptSmartCaProvider::call(const std::string& path, const nlohmann::json& body,
                                         net::Repeat repeat, const std::string& what,
                                         long* http_status) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = base_ + path;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = body.dump();
    // The sign call returns at once with a transaction id; 60 s as the 769 reference client.
    req.total_timeout = limits::kRequestTimeout;
    net::HttpResponse resp = http_->send(req, repeat);
    if (http_status)
        *http_status = resp.status;
    if (resp.status >= 200 && resp.status < 300)
        return remote::parse_json(resp, "VNPT SmartCA " + what, req.url);
    nlohmann::json j = parse_untrusted_json(resp.body);
    if (!j.is_discarded() && j.is_object() && (j.contains("status_code") || j.contains("message")))
        return j; // VNPT's own error envelope: the parsers explain it
    throw remote::http_error(resp, "VNPT SmartCA " + what, remote::text(j, "message"));
}

std::vector<remote::Candidate> VnptSmartCaProvider::fetch_candidates() {
    nlohmann::json body = vnpt::certificate_request(creds_, config_.account, "",
                                                    remote::new_transaction_id("NEAC-CERT-"));
    return vnpt::parse_certificates(
        call("/v1/credentials/get_certificate", body, net::Repeat::Safe, "get_certificate"));
}

Transaction VnptSmartCaProvider::submit(const SignBatch& batch) {
    const remote::Candidate& c = chosen();
    std::vector<std::string> doc_ids = vnpt::document_ids(batch);
    Transaction txn;
    std::string txn_id = remote::new_transaction_id("NEAC-");
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + vnpt::kRequestLifetime;
    txn.message = batch.message;
    std::string serial = c.key.empty() ? c.cert.certificate.serial_hex() : c.key;
    nlohmann::json body =
        vnpt::sign_request(creds_, config_.account, serial, txn_id, batch, doc_ids, txn.created);
    vnpt::SignAnswer a = vnpt::parse_sign_response(
        call("/v1/signatures/sign", body, net::Repeat::Once, "sign"), doc_ids);
    txn.id = a.transaction_id.empty() ? a.tran_code : a.transaction_id;
    txn.state = remote::batch_state(batch, c.cert);
    txn.state["doc_ids"] = doc_ids;
    txn.state["tran_code"] = a.tran_code;
    txn.state["status_id"] = txn.id;
    remote::keep_signatures(txn.state, a.signatures);
    spdlog::info("VNPT SmartCA: transaction {} (tran_code {}) for {} document(s)", txn.id,
                 a.tran_code, batch.items.size());
    return txn;
}

PollResult VnptSmartCaProvider::poll_remote(const Transaction& txn) {
    std::vector<std::string> doc_ids = txn.state.value("doc_ids", std::vector<std::string>{});
    if (std::optional<PollResult> kept = remote::kept_signatures(txn.state))
        return *kept;
    std::string id = txn.state.value("status_id", txn.id);
    long http = 0;
    nlohmann::json answer = call("/v1/signatures/sign/" + remote::path_segment(id) + "/status",
                                 nlohmann::json::object(), net::Repeat::Safe, "status", &http);
    // The guide says the id of API 3.3, samples use transaction_id, one integrator used
    // tran_code: when VNPT does not know the first, ask once with the other.
    std::string tran_code = txn.state.value("tran_code", "");
    bool not_found = http == 404 || vnpt::status_is_not_found(answer);
    if (not_found && !tran_code.empty() && id != tran_code) {
        answer = call("/v1/signatures/sign/" + remote::path_segment(tran_code) + "/status",
                      nlohmann::json::object(), net::Repeat::Safe, "status", &http);
        PollResult r = vnpt::parse_status_response(answer, doc_ids);
        r.new_state = txn.state;
        r.new_state["status_id"] = tran_code;
        return r;
    }
    return vnpt::parse_status_response(answer, doc_ids);
}

} // namespace neac::providers
