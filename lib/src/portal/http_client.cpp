// PortalClient over neac's portal API (docs/portal-api.yaml). Every call may be repeated safely:
// creation carries the idempotency key, uploads carry their offset and submission is idempotent,
// so transient failures are retried with net::perform_with_retry.
#include "neac/net/retry.hpp"
#include "neac/portal/client.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"
#include "portal/answers.hpp"
#include "portal/json_fields.hpp"

#include <spdlog/spdlog.h>

namespace neac::portal {

using fields::integer;
using fields::str;
using nlohmann::json;

namespace answers {

json checked_answer(const net::HttpResponse& resp, const std::string& what, bool conflict_is_state,
                    const net::Redactor& redactor) {
    json j = parse_untrusted_json(resp.body);
    bool is_json = !j.is_discarded() && j.is_object();
    std::string message = is_json ? str(j, "message") : std::string();
    std::string code = is_json ? str(j, "error") : std::string();
    if (resp.status == 401 || resp.status == 403)
        throw remote_error("the portal refused the token while " + what + " (HTTP " +
                           std::to_string(resp.status) + ")")
            .hint("check NEAC_PORTAL_TOKEN or the token file; tokens expire");
    if (resp.status == 409 && conflict_is_state && is_json && j.contains("received_bytes"))
        return j;
    if (resp.status < 200 || resp.status >= 300) {
        Error e = remote_error("the portal answered HTTP " + std::to_string(resp.status) +
                               " while " + what + (code.empty() ? "" : ": " + code) +
                               (message.empty() ? "" : " (" + redactor.scrub(message) + ")"));
        if (resp.status >= 500)
            e.hint("the portal failed; run the same command again later: nothing is sent "
                   "twice");
        throw e;
    }
    if (!is_json)
        throw remote_error("the portal's answer while " + what + " is not JSON (" +
                           (resp.headers.count("content-type") ? resp.headers.at("content-type")
                                                               : std::string("no content type")) +
                           ")")
            .hint("check portal.url: it must name the portal API, not its web pages");
    return j;
}

UploadState upload_from(const json& j) {
    UploadState u;
    u.code = str(j, "code");
    u.size = integer(j, "size");
    u.received_bytes = integer(j, "received_bytes");
    auto it = j.find("complete");
    u.complete = it != j.end() && it->is_boolean() && it->get<bool>();
    if (u.received_bytes < 0 || u.size < 0 || u.received_bytes > u.size)
        throw remote_error("the portal answered an impossible upload state for component '" +
                           u.code + "'");
    return u;
}

Dossier dossier_from(const json& j, long status) {
    Dossier d;
    d.id = str(j, "dossier_id");
    d.status = str(j, "status");
    d.created = status == 201;
    if (d.id.empty() || d.status.empty())
        throw remote_error("the portal's dossier answer has no dossier_id or status");
    if (auto it = j.find("components"); it != j.end() && it->is_array())
        for (const json& c : *it)
            if (c.is_object())
                d.uploads.push_back(upload_from(c));
    if (auto it = j.find("receipt"); it != j.end() && it->is_object())
        d.receipt = receipt_from_json(*it);
    d.receipt.dossier_code = str(j, "dossier_code");
    return d;
}

PortalInfo info_from(const json& j) {
    PortalInfo i;
    i.name = str(j, "name");
    i.max_component_bytes = integer(j, "max_component_bytes");
    if (auto it = j.find("accepted_types"); it != j.end() && it->is_array())
        for (const json& t : *it)
            if (t.is_string())
                i.accepted_types.push_back(t.get<std::string>());
    i.chunk_bytes = integer(j, "chunk_bytes");
    return i;
}

DossierHistory history_from(const json& j) {
    DossierHistory h;
    h.dossier_code = str(j, "dossier_code");
    h.procedure_code = str(j, "procedure_code");
    h.status = str(j, "status");
    h.submitted_at = str(j, "submitted_at");
    if (auto it = j.find("components"); it != j.end() && it->is_array()) {
        for (const json& c : *it) {
            if (!c.is_object())
                continue;
            ComponentHistory ch;
            ch.code = str(c, "code");
            ch.title = str(c, "title");
            ch.file_name = str(c, "file_name");
            ch.sha256 = str(c, "sha256");
            ch.uploaded_at = str(c, "uploaded_at");
            if (auto s = c.find("signatures"); s != c.end() && s->is_array()) {
                for (const json& sj : *s) {
                    if (!sj.is_object())
                        continue;
                    PortalSignature ps;
                    ps.index = static_cast<int>(integer(sj, "index"));
                    ps.field = str(sj, "field");
                    ps.signer_name = str(sj, "signer_name");
                    ps.identity_kind = str(sj, "identity_kind");
                    ps.identity_number = str(sj, "identity_number");
                    ps.issuer = str(sj, "issuer");
                    ps.serial = str(sj, "serial");
                    ps.claimed_time = str(sj, "claimed_time");
                    ps.timestamp_time = str(sj, "timestamp_time");
                    ps.verdict = str(sj, "verdict");
                    ps.detail = str(sj, "detail");
                    ch.signatures.push_back(std::move(ps));
                }
            }
            h.components.push_back(std::move(ch));
        }
    }
    return h;
}

} // namespace answers

json receipt_to_json(const Receipt& r) {
    return {{"dossier_code", r.dossier_code},
            {"number", r.number},
            {"issued_at", r.issued_at},
            {"office", r.office},
            {"expected_result_date", r.expected_result_date}};
}

Receipt receipt_from_json(const json& j) {
    Receipt r;
    r.dossier_code = str(j, "dossier_code");
    r.number = str(j, "number");
    r.issued_at = str(j, "issued_at");
    r.office = str(j, "office");
    r.expected_result_date = str(j, "expected_result_date");
    return r;
}

json request_to_json(const DossierRequest& r) {
    json components = json::array();
    for (const ComponentDeclaration& c : r.components)
        components.push_back({{"code", c.code},
                              {"title", c.title},
                              {"file_name", c.file_name},
                              {"size", c.size},
                              {"sha256", c.sha256},
                              {"media_type", c.media_type},
                              {"signature_required", c.signature_required},
                              {"expected_signer", c.expected_signer}});
    return {{"procedure_code", r.procedure_code},
            {"applicant",
             {{"name", r.applicant.name},
              {"id_kind", r.applicant.id_kind},
              {"id_number", r.applicant.id_number},
              {"phone", r.applicant.phone},
              {"address", r.applicant.address}}},
            {"form", r.form},
            {"components", components}};
}

namespace {

class HttpPortalClient final : public PortalClient {
public:
    explicit HttpPortalClient(PortalConnection c) : c_(std::move(c)) {
        // Every call carries the token: never over plain http to another machine, whichever
        // way the address came (manifest, --portal, the record of an earlier submission).
        try {
            profile::check_url(c_.base_url, "the portal address");
        } catch (const Error& e) {
            throw usage_error(e.what()).hint(
                "the portal's API token must not travel in clear text");
        }
        while (!c_.base_url.empty() && c_.base_url.back() == '/')
            c_.base_url.pop_back();
        redactor_.add(c_.token);
    }

    PortalInfo info() override {
        return answers::info_from(
            call("GET", "/info", "", {}, "reading the portal's limits").second);
    }

    Dossier create_dossier(const std::string& key, const DossierRequest& request) override {
        auto [status, j] = call("POST", "/dossiers", request_to_json(request).dump(),
                                {{"Idempotency-Key", key}}, "creating the dossier");
        return answers::dossier_from(j, status);
    }

    UploadState upload_state(const std::string& id, const std::string& code) override {
        return answers::upload_from(
            call("GET", component_path(id, code), "", {}, "reading upload state of " + code)
                .second);
    }

    UploadState upload_chunk(const std::string& id, const std::string& code, std::int64_t offset,
                             const std::string& chunk) override {
        return answers::upload_from(call("PATCH", component_path(id, code), chunk,
                                         {{"Upload-Offset", std::to_string(offset)},
                                          {"Content-Type", "application/offset+octet-stream"}},
                                         "uploading " + code, /*conflict_is_state=*/true)
                                        .second);
    }

    Dossier submit(const std::string& id) override {
        auto [status, j] =
            call("POST", "/dossiers/" + id + "/submit", "{}", {}, "submitting the dossier");
        return answers::dossier_from(j, status);
    }

    Dossier status(const std::string& id_or_code) override {
        auto [status, j] =
            call("GET", "/dossiers/" + id_or_code, "", {}, "reading dossier " + id_or_code);
        return answers::dossier_from(j, status);
    }

    DossierHistory history(const std::string& code) override {
        return answers::history_from(call("GET", "/dossiers/" + code + "/history", "", {},
                                          "reading the signing history of " + code)
                                         .second);
    }

private:
    static std::string component_path(const std::string& id, const std::string& code) {
        return "/dossiers/" + id + "/components/" + code + "/upload";
    }

    // Sends one request and returns the status and the JSON answer. 401/403, 4xx and 5xx become
    // Error(Remote) with the portal's own message; a 409 on an upload is a state, not an error.
    std::pair<long, json> call(const std::string& method, const std::string& path,
                               const std::string& body,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const std::string& what, bool conflict_is_state = false) {
        net::HttpRequest req;
        req.method = method;
        req.url = c_.base_url + path;
        req.ca_bundle = c_.ca_bundle;
        req.body = body;
        req.total_timeout = limits::kUploadTimeout;
        req.headers = std::move(headers);
        req.headers.emplace_back("Authorization", "Bearer " + c_.token);
        req.headers.emplace_back("Accept", "application/json");
        if (method == "POST")
            req.headers.emplace_back("Content-Type", "application/json");
        net::HttpResponse resp;
        try {
            resp = net::perform_with_retry(req, net::Repeat::Safe, policy_, redactor_);
        } catch (const net::TransportError& e) {
            throw remote_error("the portal could not be reached while " + what + ": " + e.what())
                .hint("run the same command again once the portal answers: it finds the same "
                      "dossier and resumes the upload; nothing is created or sent twice");
        }
        return {resp.status, answers::checked_answer(resp, what, conflict_is_state, redactor_)};
    }

    PortalConnection c_;
    net::Redactor redactor_;
    net::RetryPolicy policy_;
};

} // namespace

std::unique_ptr<PortalClient> make_http_client(const PortalConnection& connection) {
    return std::make_unique<HttpPortalClient>(connection);
}

} // namespace neac::portal
