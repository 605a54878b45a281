// The dossier manifest (neac-dossier(5)): one YAML file that says which portal, which procedure,
// who applies, the form fields, and which files make up the dossier, with what signature each
// needs. Paths are relative to the manifest's folder and may not leave it.
#pragma once

#include "neac/portal/client.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace neac::portal {

enum class SignatureRule { None, Optional, Required };
const char* signature_rule_name(SignatureRule rule); // "none", "optional", "required"

struct ManifestComponent {
    std::string code;
    std::string title;
    std::filesystem::path file; // absolute, inside the manifest's folder
    std::string file_as_written;
    SignatureRule signature = SignatureRule::None;
    std::string signer; // CCCD/CMND/MST digits the signature must carry ("" when None)
    int line = 0;       // where the component starts in the manifest, for errors
};

// The verify policy the manifest asks for (neac-verify(1) options of the same names).
struct ManifestPolicy {
    std::vector<std::string> trust; // files or folders (absolute), or "sandbox"
    bool require_timestamp = false;
    bool require_trusted = false;
    std::string revocation = "soft";
    std::vector<std::string> allow; // annotations, forms
};

struct Manifest {
    std::filesystem::path file; // absolute path of the manifest
    std::filesystem::path folder;
    std::string portal_url;
    std::string token_file; // absolute, "" when not set
    std::string ca_bundle;  // absolute, "" when not set
    std::int64_t max_file_size = std::int64_t{20} << 20;
    std::string procedure_code;
    std::string procedure_name;
    Applicant applicant;
    nlohmann::json form = nlohmann::json::object();
    std::vector<ManifestComponent> components;
    ManifestPolicy policy;
};

// Reads and checks a manifest. Error(BadInput) with the file, line and column for: YAML errors,
// unknown or duplicate keys, a token or password in the manifest, a missing required key, an
// invalid CCCD/CMND or phone, an unknown signature rule, duplicate component codes, a component
// path that is absolute or leaves the manifest's folder (also through a symbolic link).
// Files are not opened here: check_components() does that.
Manifest load_manifest(const std::filesystem::path& file);

// Parses a size such as "20MB", "512 KiB", "1048576" (MB = MiB = 2^20: portals state binary
// limits). Error(BadInput) otherwise.
std::int64_t parse_size(const std::string& text);

} // namespace neac::portal
