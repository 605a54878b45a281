#include "neac/verify/render.hpp"

#include "neac/util/text.hpp"

#include <map>

namespace neac::verify {
namespace {

nlohmann::json cert_json(const CertificateInfo& c) {
    return {{"subject", c.subject},
            {"name", c.common_name},
            {"issuer", c.issuer},
            {"serial", c.serial},
            {"fingerprint_sha256", c.fingerprint_sha256},
            {"not_before", c.not_before},
            {"not_after", c.not_after},
            {"identity", {{"kind", c.identity_kind}, {"number", c.identity_number}}}};
}

nlohmann::json change_json(const Change& c) {
    return {{"category", change_category_name(c.category)},
            {"rule", c.rule},
            {"object", c.object},
            {"what", c.what},
            {"description", c.description},
            {"revision", c.revision},
            {"allowed", c.allowed},
            {"warning", c.warning}};
}

std::string xml_escape(const std::string& s) {
    std::string out;
    // Bytes that are not UTF-8 (a file name from another system) become U+FFFD: the report must
    // stay well-formed XML.
    for (unsigned char ch : utf8_encode(utf8_decode(s))) {
        switch (ch) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            // XML 1.0 forbids most control characters, even escaped.
            if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
                out += '?';
            else
                out += static_cast<char>(ch);
        }
    }
    return out;
}

std::string verdict(const SignatureReport& s) {
    std::string v = indication_name(s.indication);
    if (s.sub_indication != SubIndication::None)
        v += std::string("/") + sub_indication_name(s.sub_indication);
    return v;
}

} // namespace

nlohmann::json to_json(const SignatureReport& s) {
    nlohmann::json changes = nlohmann::json::array();
    for (const Change& c : s.changes)
        changes.push_back(change_json(c));
    nlohmann::json chain = nlohmann::json::array();
    for (const CertificateInfo& c : s.chain)
        chain.push_back(cert_json(c));
    nlohmann::json ts = nlohmann::json::array();
    for (const Timestamp& t : s.timestamps)
        ts.push_back({{"kind", t.kind},
                      {"time", t.time},
                      {"tsa", t.tsa},
                      {"valid", t.valid},
                      {"trusted", t.trusted},
                      {"problem", t.problem}});
    nlohmann::json checks = nlohmann::json::array();
    for (const RevocationCheck& c : s.revocation_checks)
        checks.push_back({{"certificate", c.certificate},
                          {"role", c.role},
                          {"status", c.status},
                          {"source", c.source},
                          {"revoked_at", c.revoked_at}});
    nlohmann::json j{{"index", s.index},
                     {"field", s.field},
                     {"object", s.object},
                     {"kind", s.kind},
                     {"sub_filter", s.sub_filter},
                     {"indication", indication_name(s.indication)},
                     {"sub_indication", sub_indication_name(s.sub_indication)},
                     {"reason", s.reason_text},
                     {"revision", s.revision},
                     {"byte_range", s.byte_range},
                     {"coverage", coverage_name(s.coverage)},
                     {"byte_range_ok", s.byte_range_ok},
                     {"intact", s.intact},
                     {"valid", s.valid},
                     {"trusted", s.trusted},
                     {"docmdp", s.docmdp},
                     {"docmdp_ok", s.docmdp_ok},
                     {"changes_ok", s.changes_ok},
                     {"revocation", s.revocation},
                     {"revocation_source", s.revocation_source},
                     {"revocation_checks", checks},
                     {"level", s.level},
                     {"claimed_time", s.claimed_time},
                     {"timestamp_time", s.timestamp_time},
                     {"validation_time", s.validation_time},
                     {"digest_algorithm", s.digest_algorithm},
                     {"document_digest", s.document_digest},
                     {"signature_algorithm", s.signature_algorithm},
                     {"signer_infos", s.signer_infos},
                     {"pdf_reason", s.reason},
                     {"pdf_location", s.location},
                     {"pdf_name", s.name},
                     {"matches_expected_signer", s.matches_expected_signer},
                     {"signer", s.signer ? cert_json(*s.signer) : nlohmann::json(nullptr)},
                     {"chain", chain},
                     {"timestamps", ts},
                     {"changes", changes},
                     {"errors", s.errors},
                     {"warnings", s.warnings}};
    return j;
}

nlohmann::json to_json(const VerifyReport& r) {
    nlohmann::json sigs = nlohmann::json::array();
    for (const SignatureReport& s : r.signatures)
        sigs.push_back(to_json(s));
    nlohmann::json revs = nlohmann::json::array();
    for (const RevisionInfo& rev : r.revisions) {
        nlohmann::json changes = nlohmann::json::array();
        for (const Change& c : rev.changes)
            changes.push_back(change_json(c));
        revs.push_back({{"number", rev.number},
                        {"end", rev.end},
                        {"xref", rev.xref},
                        {"signatures", rev.signatures},
                        {"changes", changes}});
    }
    bool bad = r.status == FileStatus::BadInput;
    return {{"file", r.file.string()},
            {"status", bad ? "bad_input" : "checked"},
            {"indication", bad ? "" : indication_name(r.indication)},
            {"error", r.error},
            {"summary", r.summary},
            {"size", r.size},
            {"docmdp", r.docmdp},
            {"dss",
             {{"present", r.dss.present},
              {"certificates", r.dss.certificates},
              {"ocsp_responses", r.dss.ocsp_responses},
              {"crls", r.dss.crls},
              {"vri", r.dss.vri}}},
            {"signatures", sigs},
            {"empty_fields", r.empty_fields},
            {"revisions", revs},
            {"problems", r.problems},
            {"warnings", r.warnings},
            {"seconds", r.seconds}};
}

nlohmann::json to_json(const std::vector<VerifyReport>& reports, int exit_code) {
    nlohmann::json files = nlohmann::json::array();
    std::map<std::string, int> counts{
        {"passed", 0}, {"failed", 0}, {"indeterminate", 0}, {"bad_input", 0}};
    for (const VerifyReport& r : reports) {
        files.push_back(to_json(r));
        if (r.status == FileStatus::BadInput)
            ++counts["bad_input"];
        else if (r.indication == Indication::Passed)
            ++counts["passed"];
        else if (r.indication == Indication::Failed)
            ++counts["failed"];
        else
            ++counts["indeterminate"];
    }
    return {{"version", 1},
            {"exit_code", exit_code},
            {"summary",
             {{"files", reports.size()},
              {"passed", counts["passed"]},
              {"failed", counts["failed"]},
              {"indeterminate", counts["indeterminate"]},
              {"bad_input", counts["bad_input"]}}},
            {"files", files}};
}

std::string render_text(const VerifyReport& r, const TextStyle& style) {
    auto paint = [&](const char* code, const std::string& s) {
        return style.color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
    };
    auto colored = [&](Indication i, const std::string& s) {
        switch (i) {
        case Indication::Passed:
            return paint("32", s);
        case Indication::Failed:
            return paint("31", s);
        default:
            return paint("33", s);
        }
    };
    // Everything from the file, its certificates or a server is shown through this.
    auto t = [](const std::string& untrusted) { return terminal_safe(untrusted); };
    std::string out;
    if (r.status == FileStatus::BadInput) {
        out += paint("31", "BAD INPUT") + "  " + t(r.file.string()) + ": " + t(r.error) + "\n";
        return out;
    }
    out += colored(r.indication, indication_name(r.indication)) + "  " + t(r.file.string()) +
           "  (" + t(r.summary) + ")\n";
    for (const SignatureReport& s : r.signatures) {
        std::vector<std::vector<std::string>> rows;
        std::string who = s.signer ? t(s.signer->common_name) : "?";
        if (s.signer && !s.signer->identity_kind.empty())
            who += " (" + s.signer->identity_kind + " " + t(s.signer->identity_number) + ")";
        std::string title = "  #" + std::to_string(s.index) + " " + t(s.field) + " [" +
                            (s.kind == "signature" ? std::string("signature") : s.kind) +
                            "]: " + colored(s.indication, verdict(s));
        out += title + "\n";
        rows.push_back({"    signer", who});
        if (s.signer)
            rows.push_back({"    issuer", t(s.signer->issuer) + ", serial " + t(s.signer->serial)});
        std::string time = s.claimed_time.empty() ? "-" : s.claimed_time + " (claimed)";
        if (!s.timestamp_time.empty())
            time += ", " + s.timestamp_time + " (timestamp)";
        rows.push_back({"    time", time});
        rows.push_back({"    revision",
                        std::to_string(s.revision) + ", coverage " + coverage_name(s.coverage)});
        rows.push_back({"    checks", std::string("intact ") + (s.intact ? "yes" : "no") +
                                          ", valid " + (s.valid ? "yes" : "no") + ", trusted " +
                                          (s.trusted ? "yes" : "no") + ", revocation " +
                                          s.revocation + ", changes " +
                                          (s.changes_ok ? "ok" : "FORBIDDEN")});
        if (!s.digest_algorithm.empty())
            rows.push_back({"    algorithm", s.signature_algorithm + " with " + s.digest_algorithm +
                                                 ", " + s.sub_filter});
        if (!s.level.empty()) {
            std::string sources = s.revocation_source.empty() ? "" : ", " + s.revocation_source;
            rows.push_back({"    level", "PAdES " + s.level + sources});
        }
        if (!s.reason_text.empty())
            rows.push_back({"    reason", t(s.reason_text)});
        out += format_table(rows);
        for (const Change& c : s.changes) {
            if (c.allowed && !c.warning && !style.verbose)
                continue;
            std::string tag = !c.allowed  ? paint("31", "forbidden")
                              : c.warning ? paint("33", "warning")
                                          : "allowed";
            out += "    change r" + std::to_string(c.revision) + " " + tag + ": " + t(c.what) +
                   " (" + t(c.object) + "): " + t(c.description) + "\n";
        }
        for (std::size_t i = 1; i < s.errors.size(); ++i)
            out += "    error: " + t(s.errors[i]) + "\n";
        for (const std::string& w : s.warnings)
            out += "    " + paint("33", "warning") + ": " + t(w) + "\n";
        if (style.verbose)
            for (const CertificateInfo& c : s.chain)
                out += "    chain: " + t(c.subject) + "\n";
    }
    if (r.dss.present)
        out += "  validation data (DSS): " + std::to_string(r.dss.certificates) +
               " certificates, " + std::to_string(r.dss.ocsp_responses) + " OCSP responses, " +
               std::to_string(r.dss.crls) + " CRLs\n";
    for (const std::string& p : r.problems)
        out += "  " + paint("31", "problem") + ": " + t(p) + "\n";
    for (const std::string& w : r.warnings)
        out += "  " + paint("33", "warning") + ": " + t(w) + "\n";
    return out;
}

std::string render_junit(const std::vector<VerifyReport>& reports) {
    int failures = 0, errors = 0;
    double total = 0;
    std::string cases;
    for (const VerifyReport& r : reports) {
        total += r.seconds;
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.3f", r.seconds);
        cases += "    <testcase classname=\"neac.verify\" name=\"" + xml_escape(r.file.string()) +
                 "\" time=\"" + secs + "\">\n";
        if (r.status == FileStatus::BadInput) {
            ++errors;
            cases += "      <error type=\"BAD_INPUT\" message=\"" + xml_escape(r.error) + "\">" +
                     xml_escape(r.error) + "</error>\n";
        } else if (r.indication != Indication::Passed) {
            ++failures;
            std::string detail;
            std::string first;
            for (const SignatureReport& s : r.signatures) {
                if (s.indication == Indication::Passed)
                    continue;
                std::string line = s.field + ": " + verdict(s) +
                                   (s.reason_text.empty() ? "" : " - " + s.reason_text);
                if (first.empty())
                    first = line;
                detail += line + "\n";
                for (const Change& c : s.changes)
                    if (!c.allowed)
                        detail += "  changed after signing: " + c.what + " (" + c.object +
                                  "): " + c.description + "\n";
            }
            for (const std::string& p : r.problems) {
                if (first.empty())
                    first = p;
                detail += p + "\n";
            }
            cases += "      <failure type=\"" + std::string(indication_name(r.indication)) +
                     "\" message=\"" + xml_escape(first) + "\">" + xml_escape(detail) +
                     "</failure>\n";
        }
        cases += "      <system-out>" + xml_escape(render_text(r, TextStyle{})) + "</system-out>\n";
        cases += "    </testcase>\n";
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3f", total);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites name=\"neac verify\" tests=\"" + std::to_string(reports.size()) +
           "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
           "\" time=\"" + secs + "\">\n";
    out += "  <testsuite name=\"neac verify\" tests=\"" + std::to_string(reports.size()) +
           "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
           "\" time=\"" + secs + "\">\n";
    out += cases;
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

} // namespace neac::verify
