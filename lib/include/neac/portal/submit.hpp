// `neac submit`: check every component first, send second.
//
// check_dossier() opens every component, recognises its type by content (PDF, DOC, DOCX), checks
// the size limit, hashes it once (SHA-256, streamed) and verifies the signatures a component must
// carry with neac's verifier (expected signer = the manifest's signer, usually the applicant's
// CCCD). Nothing touches the network.
//
// submit_dossier() then creates the dossier under an idempotency key derived from the manifest
// and the file hashes (running it again finds the same dossier instead of creating a second),
// uploads each component from where the portal's copy ends (streamed in chunks, the portal checks
// the SHA-256), and submits.
#pragma once

#include "neac/portal/client.hpp"
#include "neac/portal/manifest.hpp"
#include "neac/util/error.hpp"
#include "neac/verify/report.hpp"

#include <functional>
#include <optional>

namespace neac::portal {

// What a file is, by its first bytes and structure (never by its extension).
struct ContentType {
    std::string type;       // "pdf", "doc", "docx", or "" when none of them
    std::string media_type; // "application/pdf", ...
    std::string what;       // what it looks like when not accepted ("a ZIP archive", "PNG image")
};
ContentType sniff_content(const std::filesystem::path& file);

struct ComponentCheck {
    ManifestComponent component;
    std::int64_t size = 0;
    std::string sha256;
    ContentType content;
    std::optional<verify::VerifyReport> report; // when its signatures were verified
    // Empty when the component may be sent; otherwise what is wrong and the exit it means:
    // BadInput (missing, unreadable, wrong type, too large), Verification (unsigned, invalid,
    // wrong signer, or a signature verify cannot establish, e.g. no trust anchor for its CA).
    std::string problem;
    ErrorKind problem_kind = ErrorKind::BadInput;
    std::string hint;
};

struct DossierCheck {
    std::vector<ComponentCheck> components;
    std::string idempotency_key; // 64 hex; set when every component passed
    DossierRequest request;      // what would be sent
    bool ok() const;
    // Error for the first failing component (in manifest order), naming it.
    Error first_error() const;
};

// The verify policy the manifest asks for, with these trust anchors (its `trust` entries resolved
// by the caller: "sandbox" names a CA this library does not know about).
verify::Policy verify_policy(const ManifestPolicy& policy,
                             std::vector<std::filesystem::path> trust_anchors);

// `policy` is the verify policy for components with signatures (trust anchors resolved by the
// caller); each component's expected signer is set here. `done` is called after each component.
DossierCheck check_dossier(const Manifest& manifest, const verify::Policy& policy,
                           const std::function<void(const ComponentCheck&)>& done = {});

// The idempotency key: SHA-256 (hex) of the portal URL and the canonical JSON of the request
// (procedure, applicant, form, components with their sizes and hashes).
std::string idempotency_key(const std::string& portal_url, const DossierRequest& request);

struct SubmitProgress {
    std::function<void(const std::string& code, std::int64_t sent, std::int64_t size)> upload;
    std::function<void(const std::string& text)> note;
};

struct SubmitResult {
    Dossier dossier;                // as the portal has it after submission
    bool created = false;           // false: a dossier from an earlier run was found again
    bool already_submitted = false; // the earlier run had submitted it already
    std::int64_t bytes_sent = 0;    // this run
    std::int64_t bytes_resumed = 0; // bytes the portal already held from an earlier run
};

// Sends a checked dossier (check.ok() must hold). Re-checks the portal's own limits (GET /info)
// before creating anything: a component over the limit or of a type it does not accept is
// Error(BadInput) naming it, with nothing created. Remote failures are Error(Remote); running
// again resumes.
SubmitResult submit_dossier(const DossierCheck& check, PortalClient& client,
                            const SubmitProgress& progress = {});

} // namespace neac::portal
