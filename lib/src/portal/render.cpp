#include "neac/portal/render.hpp"

#include "neac/util/text.hpp"

#include <cstdio>

namespace neac::portal {
namespace {

using nlohmann::json;

std::string size_text(std::int64_t bytes) {
    char buf[32];
    if (bytes < 1024)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else if (bytes < (1 << 20))
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
    else
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

// The signers of the passing signatures: "NGUYỄN VĂN A (CCCD 001099012345)".
std::vector<std::string> signers(const verify::VerifyReport& r) {
    std::vector<std::string> out;
    for (const verify::SignatureReport& s : r.signatures) {
        if (s.kind == "document_timestamp" || !s.signer)
            continue;
        std::string who = s.signer->common_name;
        if (!s.signer->identity_number.empty())
            who += " (" + s.signer->identity_kind + " " + s.signer->identity_number + ")";
        out.push_back(who);
    }
    return out;
}

std::string signature_text(const ComponentCheck& c) {
    if (!c.problem.empty())
        return "REFUSED: " + c.problem;
    if (!c.report)
        return c.component.signature == SignatureRule::None ? "no signature required"
                                                            : "not checked";
    std::vector<std::string> who = signers(*c.report);
    if (who.empty())
        return "unsigned (signature optional)";
    std::string out = "PASSED: ";
    for (std::size_t i = 0; i < who.size(); ++i)
        out += (i ? ", " : "") + who[i];
    return out;
}

} // namespace

std::string render_check_text(const Manifest& m, const DossierCheck& check) {
    std::string out = "Dossier for procedure " + m.procedure_code +
                      (m.procedure_name.empty() ? "" : " (" + m.procedure_name + ")") +
                      ", applicant " + m.applicant.name + " (" + m.applicant.id_kind + " " +
                      m.applicant.id_number + ")\n";
    std::vector<std::vector<std::string>> rows{{"CODE", "FILE", "TYPE", "SIZE", "SIGNATURE"}};
    for (const ComponentCheck& c : check.components)
        rows.push_back({c.component.code, c.component.file_as_written,
                        c.content.type.empty() ? "-" : c.content.type,
                        c.size ? size_text(c.size) : "-", signature_text(c)});
    return out + format_table(rows);
}

std::string render_result_text(const SubmitResult& r) {
    const Receipt& rc = r.dossier.receipt;
    std::string out;
    if (r.already_submitted)
        out += "Already submitted by an earlier run; nothing was sent again.\n";
    else if (!r.created)
        out += "Resumed the dossier of an earlier run (" + size_text(r.bytes_resumed) +
               " already on the portal, " + size_text(r.bytes_sent) + " sent now).\n";
    out += "Submitted: mã hồ sơ " + rc.dossier_code + "\n";
    std::vector<std::vector<std::string>> rows;
    if (!rc.number.empty())
        rows.push_back({"receipt", rc.number});
    if (!rc.issued_at.empty())
        rows.push_back({"received at", rc.issued_at});
    if (!rc.office.empty())
        rows.push_back({"office", rc.office});
    if (!rc.expected_result_date.empty())
        rows.push_back({"expected result", rc.expected_result_date});
    if (!rows.empty()) {
        std::string table = format_table(rows);
        std::size_t start = 0;
        while (start < table.size()) {
            std::size_t end = table.find('\n', start);
            out += "  " + table.substr(start, end - start + 1);
            start = end == std::string::npos ? table.size() : end + 1;
        }
    }
    return out;
}

json check_to_json(const Manifest& m, const DossierCheck& check) {
    json components = json::array();
    for (const ComponentCheck& c : check.components) {
        json signature = {{"rule", signature_rule_name(c.component.signature)},
                          {"expected_signer", c.component.signer}};
        if (c.report) {
            signature["indication"] = verify::indication_name(c.report->indication);
            signature["signers"] = signers(*c.report);
        }
        components.push_back({{"code", c.component.code},
                              {"title", c.component.title},
                              {"file", c.component.file.string()},
                              {"type", c.content.type},
                              {"media_type", c.content.media_type},
                              {"size", c.size},
                              {"sha256", c.sha256},
                              {"signature", signature},
                              {"ok", c.problem.empty()},
                              {"problem", c.problem}});
    }
    return {{"manifest", m.file.string()},
            {"portal", m.portal_url},
            {"procedure_code", m.procedure_code},
            {"applicant",
             {{"name", m.applicant.name},
              {"id_kind", m.applicant.id_kind},
              {"id_number", m.applicant.id_number}}},
            {"ok", check.ok()},
            {"idempotency_key", check.idempotency_key},
            {"components", components}};
}

json result_to_json(const SubmitResult& r) {
    return {{"dossier_id", r.dossier.id},
            {"dossier_code", r.dossier.receipt.dossier_code},
            {"status", r.dossier.status},
            {"created", r.created},
            {"already_submitted", r.already_submitted},
            {"bytes_sent", r.bytes_sent},
            {"bytes_resumed", r.bytes_resumed},
            {"receipt", receipt_to_json(r.dossier.receipt)}};
}

} // namespace neac::portal
