// What this machine remembers about the dossiers it submitted, so that `neac history --dossier
// CODE` finds the portal by itself: one JSON file per dossier in <home>/dossiers/ (mode 0600,
// written atomically). No secret is stored: only where the token came from.
#pragma once

#include "neac/portal/client.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace neac::portal {

struct SubmissionRecord {
    std::string dossier_code;
    std::string dossier_id;
    std::string portal_url; // base URL of the portal API
    std::string ca_bundle;  // PEM used for the portal, "" = system store
    std::string token_file; // "" = NEAC_PORTAL_TOKEN
    std::string manifest;   // absolute path of the manifest submitted
    std::string idempotency_key;
    std::string submitted_at; // ISO 8601 UTC
    Receipt receipt;
};

void save_submission(const std::filesystem::path& home, const SubmissionRecord& record);
// The record for a dossier code, if this machine submitted it. Error(BadInput) for a damaged
// record file.
std::optional<SubmissionRecord> find_submission(const std::filesystem::path& home,
                                                const std::string& dossier_code);

// The portal bearer token: $NEAC_PORTAL_TOKEN when set and not empty, else the first line of
// `token_file` (which must not be readable by group or others). Error(BadInput) naming the
// variable or the file (never the value) when there is none.
std::string load_token(const std::string& token_file);

} // namespace neac::portal
