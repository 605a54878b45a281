#include "neac/history/render.hpp"

#include "neac/pdf/appearance.hpp"
#include "neac/util/console.hpp"
#include "neac/util/text.hpp"

#include <algorithm>

namespace neac::history {

namespace {

using Row = std::vector<std::string>;

std::string paint_verdict(const TextStyle& style, const std::string& verdict) {
    if (!style.console)
        return verdict;
    if (verdict == "PASSED")
        return style.console->green(verdict);
    if (verdict == "FAILED")
        return style.console->red(verdict);
    return style.console->yellow(verdict);
}

std::string identity(const std::string& kind, const std::string& number) {
    if (kind.empty())
        return number;
    return kind + " " + number;
}

// Every value from a file, a certificate or the portal is shown through this: "-" when empty,
// else made terminal-safe (a crafted name cannot move the cursor or fake a line).
std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : terminal_safe(s);
}

std::string when_of(const SignatureEntry& s) {
    return !s.timestamp_time.empty() ? s.timestamp_time : s.claimed_time;
}

std::string journal_cell(const JournalRecord& r) {
    return r.provider + " #" + std::to_string(r.entry);
}

std::string attempt_text(const Attempt& a) {
    if (a.state == "copy")
        return "signed into another file";
    if (a.state == "rejected")
        return "request rejected on the phone";
    if (a.state == "pending" || a.state == "submitting" || a.state == "approved")
        return "request still open (" + a.state + ")";
    return "request " + a.state;
}

std::string attempt_time(const Attempt& a) {
    return a.journal.created;
}

// What the portal calls its issuer: a whole subject, or already a name.
std::string issuer_name(const std::string& issuer) {
    std::string cn = pdf::subject_attribute(issuer, "CN");
    return cn.empty() ? issuer : cn;
}

std::string sha_prefix(const std::string& sha) {
    return sha.size() > 16 ? sha.substr(0, 16) + "…" : sha;
}

nlohmann::json change_json(const verify::Change& c) {
    return {{"category", verify::change_category_name(c.category)},
            {"object", c.object},
            {"what", c.what},
            {"description", c.description}};
}

const SignatureEntry* find_signature(const FileHistory& h, int index) {
    for (const SignatureEntry& s : h.signatures)
        if (s.index == index)
            return &s;
    return nullptr;
}

const RevisionEntry* find_revision(const FileHistory& h, int number) {
    for (const RevisionEntry& r : h.revisions)
        if (r.number == number)
            return &r;
    return nullptr;
}

std::string signature_event(const SignatureEntry& s) {
    if (s.kind == "document_timestamp")
        return "document timestamp " + s.field;
    if (s.kind == "certification")
        return "certification signature " + s.field;
    return "signature " + s.field;
}

Row signature_row(const std::string& rev, const std::string& event, const SignatureEntry& s,
                  const TextStyle& style) {
    return {rev,
            or_dash(when_of(s)),
            event,
            or_dash(s.signer_name),
            or_dash(identity(s.identity_kind, s.identity_number)),
            s.journal ? journal_cell(*s.journal) : "-",
            paint_verdict(style, s.verdict)};
}

std::string signature_details(const SignatureEntry& s, const TextStyle& style) {
    std::string out = "  " + terminal_safe(s.field) + " (" +
                      (s.revision > 0 ? "r" + std::to_string(s.revision) : "revision unknown") +
                      "): issuer " + or_dash(s.issuer) + ", serial " + or_dash(s.serial) + "\n";
    out += "    time: " +
           (s.claimed_time.empty() ? std::string("no claimed time") : "claimed " + s.claimed_time) +
           ", " +
           (s.timestamp_time.empty() ? std::string("no trusted timestamp")
                                     : "timestamp " + s.timestamp_time) +
           "\n";
    if (s.journal) {
        const JournalRecord& j = *s.journal;
        out += "    signed here: journal #" + std::to_string(j.entry) + ", " + j.provider +
               ", transaction " + or_dash(j.transaction_id) + ", profile " + or_dash(j.profile) +
               ", approved " + or_dash(j.decided) + "\n";
        if (style.verbose)
            out += "    journal paths: " + j.input + " -> " + j.output + "\n";
    } else {
        out += "    not signed through this machine's journal\n";
    }
    if (s.verdict != "PASSED") {
        std::string why = s.verdict;
        if (!s.sub_indication.empty())
            why += "/" + s.sub_indication;
        if (!s.reason.empty())
            why += ": " + s.reason;
        out += "    verdict: " + terminal_safe(why) + "\n";
    }
    if (style.verbose) {
        out += "    signer subject: " + or_dash(s.signer_subject) + "\n";
        out += "    issuer subject: " + or_dash(s.issuer_subject) + "\n";
        std::string br;
        for (std::int64_t v : s.byte_range)
            br += (br.empty() ? "" : " ") + std::to_string(v);
        out += "    byte range: [" + br + "], coverage " + s.coverage + "\n";
        out += "    document digest: " + or_dash(s.digest_algorithm) + " " +
               or_dash(s.document_digest) + "\n";
    }
    return out;
}

std::string attempt_details(std::size_t i, const Attempt& a, const TextStyle& style) {
    const JournalRecord& j = a.journal;
    std::string on = a.revision > 0 ? "the content of r" + std::to_string(a.revision)
                                    : std::string("the whole file");
    std::string out = "  attempt " + std::to_string(i + 1) + " on " + on + ": journal #" +
                      std::to_string(j.entry) + ", " + j.provider + ", transaction " +
                      or_dash(j.transaction_id) + ", profile " + or_dash(j.profile) + "\n";
    std::string line = "    requested " + or_dash(j.created);
    if (a.state == "copy")
        line += ", approved " + or_dash(j.decided) + ", written to " + j.output;
    else if (!j.decided.empty())
        line += ", " + a.state + " " + j.decided;
    else
        line += ", " + a.state;
    if (!j.detail.empty() && a.state != "copy")
        line += ": " + j.detail;
    out += line + "\n";
    if (style.verbose)
        out += "    journal paths: " + j.input + " -> " + j.output + "\n";
    return out;
}

} // namespace

nlohmann::json to_json(const JournalRecord& r) {
    return {{"entry", r.entry},
            {"position", r.position},
            {"provider", r.provider},
            {"transaction_id", r.transaction_id},
            {"profile", r.profile},
            {"account", r.account},
            {"state", r.state},
            {"outcome", r.outcome},
            {"detail", r.detail},
            {"signer",
             {{"name", r.signer_name},
              {"identity", {{"kind", r.identity_kind}, {"number", r.identity_number}}},
              {"serial", r.certificate_serial}}},
            {"input", r.input},
            {"output", r.output},
            {"input_sha256", r.input_sha256},
            {"digest_algorithm", r.digest_algorithm},
            {"document_digest", r.document_digest},
            {"field", r.field},
            {"created", r.created},
            {"submitted", r.submitted},
            {"decided", r.decided},
            {"approved", r.outcome == "signed" ? r.decided : std::string()},
            {"finished", r.finished}};
}

nlohmann::json to_json(const SignatureEntry& s) {
    return {{"index", s.index},
            {"revision", s.revision},
            {"field", s.field},
            {"kind", s.kind},
            {"signer",
             {{"name", s.signer_name},
              {"identity", {{"kind", s.identity_kind}, {"number", s.identity_number}}},
              {"subject", s.signer_subject}}},
            {"issuer", {{"name", s.issuer}, {"subject", s.issuer_subject}}},
            {"serial", s.serial},
            {"claimed_time", s.claimed_time},
            {"timestamp_time", s.timestamp_time},
            {"verdict", s.verdict},
            {"sub_indication", s.sub_indication},
            {"reason", s.reason},
            {"digest_algorithm", s.digest_algorithm},
            {"document_digest", s.document_digest},
            {"byte_range", s.byte_range},
            {"coverage", s.coverage},
            {"journal", s.journal ? to_json(*s.journal) : nlohmann::json(nullptr)}};
}

nlohmann::json to_json(const FileHistory& h) {
    nlohmann::json revisions = nlohmann::json::array();
    for (const RevisionEntry& r : h.revisions) {
        nlohmann::json changes = nlohmann::json::array();
        for (const verify::Change& c : r.changes)
            changes.push_back(change_json(c));
        revisions.push_back({{"number", r.number},
                             {"end", r.end},
                             {"xref", r.xref},
                             {"sha256", r.sha256},
                             {"summary", r.summary},
                             {"signatures", r.signatures},
                             {"changes", changes}});
    }
    nlohmann::json signatures = nlohmann::json::array();
    for (const SignatureEntry& s : h.signatures)
        signatures.push_back(to_json(s));
    nlohmann::json attempts = nlohmann::json::array();
    for (std::size_t i = 0; i < h.attempts.size(); ++i) {
        const Attempt& a = h.attempts[i];
        attempts.push_back({{"index", i + 1},
                            {"revision", a.revision},
                            {"state", a.state},
                            {"journal", to_json(a.journal)}});
    }
    nlohmann::json timeline = nlohmann::json::array();
    for (const TimelineEvent& e : h.timeline) {
        nlohmann::json j{{"kind", timeline_kind_name(e.kind)}};
        switch (e.kind) {
        case TimelineEvent::Kind::Revision: {
            const RevisionEntry* r = find_revision(h, e.number);
            j["revision"] = e.number;
            j["text"] = r ? r->summary : "";
            std::string time;
            if (r)
                for (int s : r->signatures)
                    if (const SignatureEntry* sig = find_signature(h, s); sig && time.empty())
                        time = when_of(*sig);
            j["time"] = time;
            j["signatures"] = r ? r->signatures : std::vector<int>{};
            break;
        }
        case TimelineEvent::Kind::Signature: {
            const SignatureEntry* s = find_signature(h, e.number);
            j["signature"] = e.number;
            j["text"] = s ? signature_event(*s) : "";
            j["time"] = s ? when_of(*s) : "";
            break;
        }
        case TimelineEvent::Kind::Attempt: {
            const Attempt& a = h.attempts.at(static_cast<std::size_t>(e.number));
            j["attempt"] = e.number + 1;
            j["revision"] = a.revision;
            j["state"] = a.state;
            j["text"] = attempt_text(a);
            j["time"] = attempt_time(a);
            break;
        }
        }
        timeline.push_back(std::move(j));
    }
    return {{"file", h.file.string()},
            {"status", h.readable ? "ok" : "bad_input"},
            {"error", h.error},
            {"size", h.size},
            {"sha256", h.sha256},
            {"verify_summary", h.verify_summary},
            {"journal_used", h.journal_used},
            {"trust_anchors", h.trust_anchors},
            {"revisions", revisions},
            {"signatures", signatures},
            {"attempts", attempts},
            {"timeline", timeline},
            {"notes", h.notes},
            {"warnings", h.warnings}};
}

nlohmann::json to_json(const std::vector<FileHistory>& histories) {
    nlohmann::json files = nlohmann::json::array();
    for (const FileHistory& h : histories)
        files.push_back(to_json(h));
    return {{"version", 1}, {"files", files}};
}

std::string render_text(const FileHistory& h, const TextStyle& style) {
    const Console* c = style.console;
    auto bold = [&](const std::string& s) { return c ? c->bold(s) : s; };
    auto red = [&](const std::string& s) { return c ? c->red(s) : s; };
    auto yellow = [&](const std::string& s) { return c ? c->yellow(s) : s; };
    if (!h.readable)
        return red("BAD INPUT") + "  " + h.file.string() + ": " + h.error + "\n";

    std::size_t unsigned_attempts = 0, copies = 0;
    for (const Attempt& a : h.attempts)
        ++(a.state == "copy" ? copies : unsigned_attempts);
    auto count = [](std::size_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::string head = bold(h.file.string()) + "  (" +
                       count(h.revisions.size(), "revision", "revisions") + ", " +
                       count(h.signatures.size(), "signature", "signatures");
    if (h.journal_used)
        head += ", " + count(unsigned_attempts, "attempt", "attempts") + " without a signature";
    if (copies > 0)
        head += ", " + count(copies, "copy", "copies") + " signed elsewhere";
    head += ")\n";
    std::string out = head;
    if (style.verbose)
        out += "  size " + std::to_string(h.size) + " bytes, sha256 " + h.sha256 + "\n";

    std::vector<Row> rows;
    rows.push_back({"  rev", "when", "event", "signer", "identity", "journal", "verdict"});
    for (const TimelineEvent& e : h.timeline) {
        switch (e.kind) {
        case TimelineEvent::Kind::Revision: {
            const RevisionEntry* r = find_revision(h, e.number);
            if (!r)
                break;
            std::string rev = "  r" + std::to_string(r->number);
            if (r->signatures.empty()) {
                rows.push_back({rev, "", terminal_safe(r->summary)});
                break;
            }
            bool first = true;
            for (int idx : r->signatures) {
                const SignatureEntry* s = find_signature(h, idx);
                if (!s)
                    continue;
                rows.push_back(signature_row(first ? rev : "  ",
                                             first ? r->summary : signature_event(*s), *s, style));
                first = false;
            }
            break;
        }
        case TimelineEvent::Kind::Signature: {
            if (const SignatureEntry* s = find_signature(h, e.number))
                rows.push_back(signature_row("  r?", signature_event(*s), *s, style));
            break;
        }
        case TimelineEvent::Kind::Attempt: {
            const Attempt& a = h.attempts.at(static_cast<std::size_t>(e.number));
            rows.push_back({"  ", or_dash(attempt_time(a)), attempt_text(a),
                            or_dash(a.journal.signer_name),
                            or_dash(identity(a.journal.identity_kind, a.journal.identity_number)),
                            journal_cell(a.journal), "-"});
            break;
        }
        }
    }
    // Without a signature or an attempt the right-hand columns would only be headings.
    std::size_t used = 3;
    for (std::size_t i = 1; i < rows.size(); ++i)
        used = std::max(used, rows[i].size());
    rows[0].resize(used);
    if (rows.size() > 1)
        out += format_table(rows);

    if (style.verbose)
        for (const RevisionEntry& r : h.revisions) {
            out += "  r" + std::to_string(r.number) + ": ends at " + std::to_string(r.end) + ", " +
                   r.xref + " xref, sha256 of [0, " + std::to_string(r.end) + ") " +
                   or_dash(r.sha256) + "\n";
            for (const verify::Change& ch : r.changes)
                out += "    " + std::string(verify::change_category_name(ch.category)) + ": " +
                       ch.what + " (" + ch.object + "): " + ch.description + "\n";
        }
    for (const SignatureEntry& s : h.signatures)
        out += signature_details(s, style);
    for (std::size_t i = 0; i < h.attempts.size(); ++i)
        out += attempt_details(i, h.attempts[i], style);
    for (const std::string& n : h.notes)
        out += "  note: " + terminal_safe(n) + "\n";
    for (const std::string& w : h.warnings)
        out += "  " + yellow("warning") + ": " + terminal_safe(w) + "\n";
    return out;
}

nlohmann::json dossier_to_json(const portal::DossierHistory& d, const std::string& portal_url) {
    nlohmann::json components = nlohmann::json::array();
    for (const portal::ComponentHistory& c : d.components) {
        nlohmann::json sigs = nlohmann::json::array();
        for (const portal::PortalSignature& s : c.signatures)
            sigs.push_back(
                {{"index", s.index},
                 {"field", s.field},
                 {"signer",
                  {{"name", s.signer_name},
                   {"identity", {{"kind", s.identity_kind}, {"number", s.identity_number}}}}},
                 {"issuer", {{"name", issuer_name(s.issuer)}, {"subject", s.issuer}}},
                 {"serial", s.serial},
                 {"claimed_time", s.claimed_time},
                 {"timestamp_time", s.timestamp_time},
                 {"verdict", s.verdict},
                 {"detail", s.detail}});
        components.push_back({{"code", c.code},
                              {"title", c.title},
                              {"file_name", c.file_name},
                              {"sha256", c.sha256},
                              {"uploaded_at", c.uploaded_at},
                              {"signatures", sigs}});
    }
    return {{"version", 1},
            {"dossier",
             {{"code", d.dossier_code},
              {"procedure_code", d.procedure_code},
              {"status", d.status},
              {"submitted_at", d.submitted_at},
              {"portal", portal_url},
              {"components", components}}}};
}

std::string render_dossier_text(const portal::DossierHistory& d, const std::string& portal_url,
                                const TextStyle& style) {
    const Console* c = style.console;
    auto bold = [&](const std::string& s) { return c ? c->bold(s) : s; };
    std::string out = bold("Dossier " + d.dossier_code) + "  (procedure " +
                      or_dash(d.procedure_code) + ", " + or_dash(d.status);
    if (!d.submitted_at.empty())
        out += " " + d.submitted_at;
    out += ", " + std::to_string(d.components.size()) +
           (d.components.size() == 1 ? " component" : " components") + ")\n";
    out += "  portal " + portal_url + "\n";
    for (const portal::ComponentHistory& comp : d.components) {
        out += "\n  " + bold(terminal_safe(comp.code)) + "  " + terminal_safe(comp.title) + "\n";
        out += "    file " + or_dash(comp.file_name) + ", sha256 " +
               or_dash(style.verbose ? comp.sha256 : sha_prefix(comp.sha256)) + ", uploaded " +
               or_dash(comp.uploaded_at) + "\n";
        if (comp.signatures.empty()) {
            out += "    no signature\n";
            continue;
        }
        std::vector<Row> rows;
        rows.push_back(
            {"    #", "when", "field", "signer", "identity", "issuer", "serial", "verdict"});
        for (const portal::PortalSignature& s : comp.signatures) {
            std::string when = !s.timestamp_time.empty() ? s.timestamp_time : s.claimed_time;
            rows.push_back({"    " + std::to_string(s.index), or_dash(when), or_dash(s.field),
                            or_dash(s.signer_name),
                            or_dash(identity(s.identity_kind, s.identity_number)),
                            or_dash(issuer_name(s.issuer)), or_dash(s.serial),
                            paint_verdict(style, or_dash(s.verdict))});
        }
        out += format_table(rows);
        for (const portal::PortalSignature& s : comp.signatures) {
            std::string line = "    #" + std::to_string(s.index) + " time: " +
                               (s.claimed_time.empty() ? std::string("no claimed time")
                                                       : "claimed " + s.claimed_time) +
                               ", " +
                               (s.timestamp_time.empty() ? std::string("no trusted timestamp")
                                                         : "timestamp " + s.timestamp_time);
            out += line + "\n";
            if (s.verdict != "PASSED" && !s.detail.empty())
                out += "    #" + std::to_string(s.index) + " " + or_dash(s.verdict) + ": " +
                       terminal_safe(s.detail) + "\n";
            if (style.verbose && !s.issuer.empty())
                out += "    #" + std::to_string(s.index) +
                       " issuer subject: " + terminal_safe(s.issuer) + "\n";
        }
    }
    return out;
}

} // namespace neac::history
