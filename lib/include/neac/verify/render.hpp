// Rendering of verification reports: JSON ("version": 1, fields only ever added), aligned human
// text, and JUnit XML (one testcase per file) for CI systems.
#pragma once

#include "neac/verify/report.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace neac::verify {

nlohmann::json to_json(const SignatureReport& s);
nlohmann::json to_json(const VerifyReport& r);
// {"version": 1, "exit_code": N, "files": [...], "summary": {...}}
nlohmann::json to_json(const std::vector<VerifyReport>& reports, int exit_code);

struct TextStyle {
    bool color = false;
    bool verbose = false; // also list allowed changes and the chain
};
std::string render_text(const VerifyReport& r, const TextStyle& style);

// <testsuites><testsuite name="neac verify"> with one <testcase> per file; FAILED becomes
// <failure>, bad input <error>, INDETERMINATE <failure type="INDETERMINATE">.
std::string render_junit(const std::vector<VerifyReport>& reports);

} // namespace neac::verify
