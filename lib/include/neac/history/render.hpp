// Rendering of signing histories: JSON ("version": 1, fields only ever added; schema in
// man/neac-history.1) and aligned text for people (Vietnamese names aligned by display width).
// Colour comes only from the Console given in the style (none when it is null or colour is off).
#pragma once

#include "neac/history/history.hpp"
#include "neac/portal/client.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace neac {
class Console;
}

namespace neac::history {

struct TextStyle {
    const Console* console = nullptr; // colour source; null = plain text
    bool verbose = false; // issuer subjects, byte ranges, digests, every change, journal paths
};

nlohmann::json to_json(const JournalRecord& r);
nlohmann::json to_json(const SignatureEntry& s);
nlohmann::json to_json(const FileHistory& h);
// {"version": 1, "files": [...]}
nlohmann::json to_json(const std::vector<FileHistory>& histories);

// One block per file: a header line, the aligned timeline table, then detail lines for each
// signature and attempt, notes and warnings. An unreadable file is one "BAD INPUT" line.
std::string render_text(const FileHistory& h, const TextStyle& style);

// The portal's signing-history view ("Xem lịch sử ký số") of a dossier.
// {"version": 1, "dossier": {"code", "procedure_code", "status", "submitted_at", "portal",
//  "components": [{"code", "title", "file_name", "sha256", "uploaded_at", "signatures": [...]}]}}
nlohmann::json dossier_to_json(const portal::DossierHistory& d, const std::string& portal_url);
// A header line for the dossier, then per component its code, title, file, SHA-256 prefix and
// upload time, and its signatures table (the file view's columns where they apply).
std::string render_dossier_text(const portal::DossierHistory& d, const std::string& portal_url,
                                const TextStyle& style);

} // namespace neac::history
