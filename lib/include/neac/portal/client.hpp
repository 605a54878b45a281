// The portal contract: what neac needs from a provincial public-service portal ("Cổng dịch vụ
// công") to submit a dossier and to read back the officials' signing-history view. The wire format
// is neac's own portal API (docs/portal-api.yaml, OpenAPI 3); a province's real API becomes one
// more implementation of PortalClient.
//
// Every call may throw Error(Remote) (network, TLS, HTTP 5xx, an answer that is not the contract,
// 401/403: the token) naming the call; a refusal by the portal (a 4xx with a reason) is
// Error(Remote) too, with the portal's message, except where a method says otherwise.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace neac::portal {

// GET /info: what the portal accepts.
struct PortalInfo {
    std::string name;
    std::int64_t max_component_bytes = 0;    // 0 = not stated
    std::vector<std::string> accepted_types; // "pdf", "doc", "docx"
    std::int64_t chunk_bytes = 0;            // largest upload chunk it takes (0 = not stated)
};

struct Applicant {
    std::string name;
    std::string id_kind; // "CCCD" or "CMND"
    std::string id_number;
    std::string phone; // E.164
    std::string address;
};

// One component as declared when the dossier is created.
struct ComponentDeclaration {
    std::string code;  // the procedure's component code ("TP1")
    std::string title; // "Tờ khai đăng ký khai sinh"
    std::string file_name;
    std::int64_t size = 0;
    std::string sha256;     // lower-case hex of the whole file
    std::string media_type; // application/pdf, application/msword, ...wordprocessingml.document
    bool signature_required = false;
    std::string expected_signer; // CCCD/CMND number when a signature is required
};

struct DossierRequest {
    std::string procedure_code;
    Applicant applicant;
    nlohmann::json form = nlohmann::json::object(); // the procedure's form fields
    std::vector<ComponentDeclaration> components;
};

// The body of POST /dossiers: the request in the portal API's JSON form.
nlohmann::json request_to_json(const DossierRequest& request);

// Where one component's upload stands on the portal.
struct UploadState {
    std::string code;
    std::int64_t size = 0;
    std::int64_t received_bytes = 0;
    bool complete = false; // every byte received and the SHA-256 checked
};

struct Receipt {
    std::string dossier_code; // mã hồ sơ
    std::string number;       // receipt number (số biên nhận)
    std::string issued_at;    // ISO 8601
    std::string office;       // the receiving office
    std::string expected_result_date;
};

// A receipt in the API's JSON form ({"dossier_code", "number", "issued_at", "office",
// "expected_result_date"}); missing members read as "".
nlohmann::json receipt_to_json(const Receipt& receipt);
Receipt receipt_from_json(const nlohmann::json& j);

struct Dossier {
    std::string id;       // the portal's internal id (used in URLs before submission)
    std::string status;   // "draft", "submitted", ...
    bool created = false; // true when this call created it; false when the key already existed
    std::vector<UploadState> uploads;
    Receipt receipt; // filled once submitted
};

// The officials' "Xem lịch sử ký số" view of one component: what the portal found when it
// verified the uploaded file.
struct PortalSignature {
    int index = 0;
    std::string field;
    std::string signer_name;
    std::string identity_kind; // CCCD/CMND/MST
    std::string identity_number;
    std::string issuer;
    std::string serial;
    std::string claimed_time;   // ISO 8601 or ""
    std::string timestamp_time; // ISO 8601 or ""
    std::string verdict;        // PASSED / INDETERMINATE / FAILED
    std::string detail;         // sub-indication or reason when not PASSED
};

struct ComponentHistory {
    std::string code, title, file_name, sha256;
    std::string uploaded_at;
    std::vector<PortalSignature> signatures;
};

struct DossierHistory {
    std::string dossier_code;
    std::string procedure_code;
    std::string status;
    std::string submitted_at;
    std::vector<ComponentHistory> components;
};

class PortalClient {
public:
    virtual ~PortalClient() = default;

    virtual PortalInfo info() = 0;
    // Creates the dossier, or returns the one already created with this idempotency key (the
    // same key with a different request: Error(Remote) "conflict").
    virtual Dossier create_dossier(const std::string& idempotency_key,
                                   const DossierRequest& request) = 0;
    // The upload state of one component.
    virtual UploadState upload_state(const std::string& dossier_id, const std::string& code) = 0;
    // Sends `chunk`, the bytes at `offset` of the component's file, and returns the new state.
    // When the portal holds a different offset it keeps nothing of the chunk and answers with its
    // state (no error), so the caller goes on from the portal's offset.
    virtual UploadState upload_chunk(const std::string& dossier_id, const std::string& code,
                                     std::int64_t offset, const std::string& chunk) = 0;
    // Submits a dossier whose components are all complete. Idempotent: a submitted dossier
    // answers with its receipt again.
    virtual Dossier submit(const std::string& dossier_id) = 0;
    // Status by dossier id or dossier code.
    virtual Dossier status(const std::string& id_or_code) = 0;
    // The signing-history view of every component.
    virtual DossierHistory history(const std::string& dossier_code) = 0;
};

struct PortalConnection {
    std::string base_url;  // e.g. https://dichvucong.example.gov.vn/neac/v1
    std::string token;     // bearer token (from NEAC_PORTAL_TOKEN or a file), never logged
    std::string ca_bundle; // PEM file; empty = system store
};

// neac's portal API over HTTPS (docs/portal-api.yaml).
std::unique_ptr<PortalClient> make_http_client(const PortalConnection& connection);

} // namespace neac::portal
