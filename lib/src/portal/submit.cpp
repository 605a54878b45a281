#include "neac/portal/submit.hpp"

#include "neac/crypto/digest.hpp"
#include "neac/util/bytes.hpp"
#include "neac/verify/verify.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

namespace neac::portal {
namespace {

namespace fs = std::filesystem;

std::uint16_t le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Reads up to `size` bytes at `offset`; fewer at the end of the file.
std::string read_at(std::ifstream& in, std::int64_t offset, std::size_t size) {
    std::string buf(size, '\0');
    in.clear();
    in.seekg(offset);
    in.read(buf.data(), static_cast<std::streamsize>(size));
    buf.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return buf;
}

// A ZIP's central directory names "word/document.xml": an Office Open XML word document. The
// end-of-central-directory record is found in the file's last 64 KiB + 22 bytes.
bool zip_has_word_document(std::ifstream& in, std::int64_t size) {
    std::int64_t tail_size = std::min<std::int64_t>(size, 65557);
    std::string tail = read_at(in, size - tail_size, static_cast<std::size_t>(tail_size));
    auto* t = reinterpret_cast<const unsigned char*>(tail.data());
    for (std::int64_t i = static_cast<std::int64_t>(tail.size()) - 22; i >= 0; --i) {
        if (le32(t + i) != 0x06054b50)
            continue;
        std::uint32_t dir_size = le32(t + i + 12);
        std::uint32_t dir_offset = le32(t + i + 16);
        if (dir_size > (16u << 20) || std::int64_t{dir_offset} + dir_size > size)
            return false;
        std::string dir = read_at(in, dir_offset, dir_size);
        auto* d = reinterpret_cast<const unsigned char*>(dir.data());
        std::size_t pos = 0;
        while (pos + 46 <= dir.size() && le32(d + pos) == 0x02014b50) {
            std::size_t name_len = le16(d + pos + 28);
            std::size_t entry = 46 + name_len + le16(d + pos + 30) + le16(d + pos + 32);
            if (pos + 46 + name_len > dir.size())
                return false;
            if (std::string_view(dir.data() + pos + 46, name_len) == "word/document.xml")
                return true;
            pos += entry;
        }
        return false;
    }
    return false;
}

// An OLE2 compound file whose first directory sector holds a "WordDocument" stream: a Word 97-2003
// document (Excel and PowerPoint files are OLE2 too, with other streams).
bool ole_has_word_document(std::ifstream& in, std::int64_t size) {
    std::string header = read_at(in, 0, 512);
    if (header.size() < 512)
        return false;
    auto* h = reinterpret_cast<const unsigned char*>(header.data());
    unsigned shift = le16(h + 0x1E);
    if (shift != 9 && shift != 12)
        return false;
    std::int64_t sector = le32(h + 0x30);
    std::int64_t offset = (sector + 1) << shift;
    if (sector >= 0xFFFFFFFA || offset >= size)
        return false;
    std::string dir = read_at(in, offset, std::size_t{1} << shift);
    static const std::u16string_view kName = u"WordDocument";
    for (std::size_t e = 0; e + 128 <= dir.size(); e += 128) {
        auto* entry = reinterpret_cast<const unsigned char*>(dir.data() + e);
        std::size_t name_bytes = le16(entry + 0x40);
        if (name_bytes != (kName.size() + 1) * 2)
            continue;
        bool same = true;
        for (std::size_t i = 0; i < kName.size() && same; ++i)
            same = le16(entry + 2 * i) == kName[i];
        if (same)
            return true;
    }
    return false;
}

std::string megabytes(std::int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

void fail(ComponentCheck& c, ErrorKind kind, std::string problem, std::string hint = {}) {
    c.problem_kind = kind;
    c.problem = std::move(problem);
    c.hint = std::move(hint);
}

// Verifies the signatures a component carries. Required: at least one, by the expected signer,
// all passing. Optional: any signature present must pass.
void check_signatures(ComponentCheck& c, const ManifestComponent& comp,
                      const verify::Policy& base) {
    bool required = comp.signature == SignatureRule::Required;
    if (c.content.type != "pdf") {
        if (required)
            fail(c, ErrorKind::BadInput,
                 "requires a signature, but it is a " + c.content.type +
                     " file and neac verifies signatures in PDF files only",
                 "sign the PDF version of this document, or set 'signature: optional'");
        return;
    }
    verify::Policy policy = base;
    policy.min_signatures = required ? 1 : 0;
    policy.expect_signer = required ? comp.signer : std::string();
    c.report = verify::verify_file(comp.file, policy);
    const verify::VerifyReport& r = *c.report;
    if (r.status == verify::FileStatus::BadInput) {
        fail(c, ErrorKind::BadInput, "cannot be read as a PDF: " + r.error);
        return;
    }
    if (r.indication == verify::Indication::Passed)
        return;
    std::string why = !r.problems.empty() ? r.problems.front() : r.summary;
    for (const verify::SignatureReport& s : r.signatures)
        if (s.indication != verify::Indication::Passed && !s.reason_text.empty()) {
            why = (r.problems.empty() ? "" : why + "; ") + "signature " + std::to_string(s.index) +
                  " (" + s.field + "): " + s.reason_text;
            break;
        }
    if (r.indication == verify::Indication::Failed) {
        bool unsigned_file = required && r.signatures.empty();
        fail(c, ErrorKind::Verification,
             unsigned_file ? "requires a signature by " + comp.signer + " but is not signed"
                           : "does not pass verification: " + why,
             unsigned_file ? "sign it first: neac sign " + comp.file_as_written + " --profile NAME"
                           : "see: neac verify " + comp.file_as_written + " -v");
    } else {
        // A portal accepts established signatures only: what verify cannot establish (no trust
        // anchor, revocation unknown under "require") is a failed check here, not a maybe.
        fail(c, ErrorKind::Verification,
             "has a signature that cannot be established (INDETERMINATE): " + why,
             "name the CA that issued the signer's certificate in policy.trust (neac-dossier(5))");
    }
}

} // namespace

ContentType sniff_content(const fs::path& file) {
    ContentType t;
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    std::int64_t size = static_cast<std::int64_t>(fs::file_size(file, ec));
    if (!in || ec) {
        t.what = "unreadable";
        return t;
    }
    std::string head = read_at(in, 0, 1024);
    auto starts = [&](std::string_view magic) { return head.rfind(magic, 0) == 0; };
    if (head.find("%PDF-") != std::string::npos) {
        // Readers tolerate a little after %%EOF, not a file cut short: that is an upload that
        // stopped halfway, and the portal would store it as it is.
        std::int64_t tail_size = std::min<std::int64_t>(size, 1024);
        bool ends =
            read_at(in, size - tail_size, static_cast<std::size_t>(tail_size)).find("%%EOF") !=
            std::string::npos;
        t = ends ? ContentType{"pdf", "application/pdf", "a PDF document"}
                 : ContentType{"", "", "a PDF without its end (no %%EOF): truncated or damaged"};
    } else if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
        t = ole_has_word_document(in, size)
                ? ContentType{"doc", "application/msword", "a Word 97-2003 document"}
                : ContentType{"", "",
                              "an OLE2 file that is not a Word document (Excel or "
                              "PowerPoint?)"};
    else if (starts("PK\x03\x04"))
        t = zip_has_word_document(in, size)
                ? ContentType{"docx",
                              "application/"
                              "vnd.openxmlformats-officedocument.wordprocessingml.document",
                              "a Word document"}
                : ContentType{"", "", "a ZIP archive that is not a Word document"};
    else if (starts("\x89PNG"))
        t.what = "a PNG image";
    else if (starts("\xFF\xD8\xFF"))
        t.what = "a JPEG image";
    else if (size == 0)
        t.what = "empty";
    else
        t.what = "not a PDF, DOC or DOCX file";
    return t;
}

bool DossierCheck::ok() const {
    return std::all_of(components.begin(), components.end(),
                       [](const ComponentCheck& c) { return c.problem.empty(); });
}

Error DossierCheck::first_error() const {
    for (const ComponentCheck& c : components) {
        if (c.problem.empty())
            continue;
        Error e(c.problem_kind, "component " + c.component.code + " (" +
                                    c.component.file_as_written + ") " + c.problem +
                                    "; nothing was sent");
        e.file(c.component.file.string());
        if (!c.hint.empty())
            e.hint(c.hint);
        return e;
    }
    return Error(ErrorKind::Internal, "first_error() called on a dossier that passed its checks");
}

std::string idempotency_key(const std::string& portal_url, const DossierRequest& r) {
    // nlohmann::json keeps object keys sorted: the dump is canonical.
    std::string portal = portal_url;
    while (!portal.empty() && portal.back() == '/')
        portal.pop_back();
    nlohmann::json j = {{"portal", portal}, {"request", request_to_json(r)}};
    std::string text = j.dump();
    return hex_encode(crypto::digest(crypto::DigestAlgorithm::Sha256, text.data(), text.size()));
}

verify::Policy verify_policy(const ManifestPolicy& m, std::vector<fs::path> trust_anchors) {
    verify::Policy policy;
    policy.trust = std::move(trust_anchors);
    policy.require_timestamp = m.require_timestamp;
    policy.require_trusted = m.require_trusted;
    policy.revocation = m.revocation;
    for (const std::string& a : m.allow) {
        policy.allow_annotations |= a == "annotations";
        policy.allow_forms |= a == "forms";
    }
    return policy;
}

DossierCheck check_dossier(const Manifest& m, const verify::Policy& policy,
                           const std::function<void(const ComponentCheck&)>& done) {
    DossierCheck check;
    check.request.procedure_code = m.procedure_code;
    check.request.applicant = m.applicant;
    check.request.form = m.form;
    for (const ManifestComponent& comp : m.components) {
        ComponentCheck c;
        c.component = comp;
        std::error_code ec;
        if (!fs::is_regular_file(comp.file, ec)) {
            fail(c, ErrorKind::BadInput,
                 fs::exists(comp.file, ec) ? "is not a regular file" : "does not exist",
                 "check the path in the manifest; it is relative to " + m.folder.string());
        } else {
            c.size = static_cast<std::int64_t>(fs::file_size(comp.file, ec));
            c.content = sniff_content(comp.file);
            if (c.content.type.empty())
                fail(c, ErrorKind::BadInput,
                     "is " + c.content.what + ": the portal accepts PDF, DOC and DOCX files",
                     "convert it to PDF (and sign it) before submitting");
            else if (c.size > m.max_file_size)
                fail(c, ErrorKind::BadInput,
                     "is " + megabytes(c.size) + ", over the portal's limit of " +
                         megabytes(m.max_file_size),
                     "reduce the file (scan at 200 dpi, compress images) or split it");
            else if (comp.signature != SignatureRule::None)
                check_signatures(c, comp, policy);
        }
        if (c.problem.empty()) {
            // Hashed once, streamed: the key, the declaration and the portal's check all use it.
            std::ifstream in(comp.file, std::ios::binary);
            crypto::Hasher hasher(crypto::DigestAlgorithm::Sha256);
            std::vector<char> buf(1 << 20);
            while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
                hasher.update(buf.data(), static_cast<std::size_t>(in.gcount()));
            if (in.bad())
                fail(c, ErrorKind::BadInput, "cannot be read");
            c.sha256 = hex_encode(hasher.finish());
        }
        if (done)
            done(c);
        check.components.push_back(std::move(c));
    }
    for (const ComponentCheck& c : check.components) {
        ComponentDeclaration d;
        d.code = c.component.code;
        d.title = c.component.title;
        d.file_name = c.component.file.filename().string();
        d.size = c.size;
        d.sha256 = c.sha256;
        d.media_type = c.content.media_type;
        d.signature_required = c.component.signature == SignatureRule::Required;
        d.expected_signer = d.signature_required ? c.component.signer : std::string();
        check.request.components.push_back(std::move(d));
    }
    if (check.ok())
        check.idempotency_key = idempotency_key(m.portal_url, check.request);
    return check;
}

SubmitResult submit_dossier(const DossierCheck& check, PortalClient& client,
                            const SubmitProgress& progress) {
    if (!check.ok())
        throw check.first_error();
    PortalInfo info = client.info();
    for (const ComponentCheck& c : check.components) {
        const std::string name =
            "component " + c.component.code + " (" + c.component.file_as_written + ")";
        if (info.max_component_bytes > 0 && c.size > info.max_component_bytes)
            throw input_error(name + " is " + megabytes(c.size) + ", over the portal's limit of " +
                              megabytes(info.max_component_bytes) + "; nothing was sent")
                .file(c.component.file.string())
                .hint("set portal.max-file-size in the manifest to the portal's limit");
        if (!info.accepted_types.empty() &&
            std::find(info.accepted_types.begin(), info.accepted_types.end(), c.content.type) ==
                info.accepted_types.end())
            throw input_error(name + " is a " + c.content.type +
                              " file, which this portal does not accept; nothing was sent")
                .file(c.component.file.string());
    }

    SubmitResult result;
    Dossier d = client.create_dossier(check.idempotency_key, check.request);
    result.created = d.created;
    if (!d.created && progress.note)
        progress.note("the portal already has this dossier (" + d.id + ") from an earlier run");
    if (d.status == "submitted") {
        result.already_submitted = true;
        result.dossier = d;
        return result;
    }

    std::int64_t chunk_size = info.chunk_bytes > 0 ? info.chunk_bytes : std::int64_t{4} << 20;
    chunk_size = std::clamp<std::int64_t>(chunk_size, 1024, 16 << 20);
    for (const ComponentCheck& c : check.components) {
        const std::string& code = c.component.code;
        auto known = std::find_if(d.uploads.begin(), d.uploads.end(),
                                  [&](const UploadState& u) { return u.code == code; });
        UploadState state = known != d.uploads.end() ? *known : client.upload_state(d.id, code);
        result.bytes_resumed += state.received_bytes;
        if (state.complete)
            continue;
        std::ifstream in(c.component.file, std::ios::binary);
        if (!in)
            throw input_error("cannot open component " + code + " for upload")
                .file(c.component.file.string());
        std::int64_t offset = state.received_bytes;
        int detours = 0;
        while (!state.complete) {
            if (offset >= c.size)
                throw remote_error("the portal holds all " + std::to_string(c.size) +
                                   " bytes of component " + code +
                                   " but does not mark it complete");
            std::string chunk = read_at(
                in, offset, static_cast<std::size_t>(std::min(chunk_size, c.size - offset)));
            if (chunk.empty())
                throw input_error("component " + code + " became shorter while it was uploaded")
                    .file(c.component.file.string());
            state = client.upload_chunk(d.id, code, offset, chunk);
            std::int64_t expected = offset + static_cast<std::int64_t>(chunk.size());
            if (state.received_bytes == expected || state.complete) {
                result.bytes_sent += static_cast<std::int64_t>(chunk.size());
            } else if (++detours > 3) {
                throw remote_error("the portal keeps answering another upload offset for "
                                   "component " +
                                   code);
            }
            offset = state.received_bytes;
            if (progress.upload)
                progress.upload(code, offset, c.size);
        }
    }
    result.dossier = client.submit(d.id);
    if (result.dossier.status != "submitted" || result.dossier.receipt.dossier_code.empty())
        throw remote_error("the portal did not confirm the submission (status '" +
                           result.dossier.status + "')");
    return result;
}

} // namespace neac::portal
