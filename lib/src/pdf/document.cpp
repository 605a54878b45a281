#include "neac/pdf/document.hpp"

#include "neac/pdf/revisions.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include "neac/pdf/fields.hpp"

#include <algorithm>
#include <cstring>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <spdlog/spdlog.h>
#include <vector>

namespace neac::pdf {
namespace {

bool is_pdf_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

// Whether `needle` occurs in the file's bytes; read in chunks that overlap by the needle's length.
bool file_contains(const std::filesystem::path& path, std::string_view needle) {
    FileHandle file(path);
    constexpr std::size_t kChunk = 1 << 20;
    std::string buf(kChunk + needle.size(), '\0');
    std::size_t kept = 0;
    for (std::uint64_t at = 0; at < file.size();) {
        std::size_t n = file.read_at(at, buf.data() + kept, kChunk);
        if (n == 0)
            break;
        at += n;
        std::string_view window(buf.data(), kept + n);
        if (window.find(needle) != std::string_view::npos)
            return true;
        kept = std::min(needle.size() - 1, window.size());
        std::memmove(buf.data(), window.data() + window.size() - kept, kept);
    }
    return false;
}

// Reads what signing walks (the page tree, the form), so that damage there shows as warnings
// before anything is decided.
void probe_signing_path(QPDF& q) {
    page_dictionaries(q); // first: it refuses the cycles and depths QPDF's own walk cannot take
    QPDFPageDocumentHelper(q).getAllPages();
    scan_fields(q);
}

} // namespace

const char* xref_kind_name(XrefKind kind) {
    switch (kind) {
    case XrefKind::Table:
        return "table";
    case XrefKind::Stream:
        return "stream";
    case XrefKind::Hybrid:
        return "hybrid";
    }
    return "table";
}

std::unique_ptr<Document> Document::open(const std::filesystem::path& path, OpenMode mode) {
    const bool lenient = mode == OpenMode::Lenient;
    std::unique_ptr<Document> doc(new Document());
    doc->path_ = path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw input_error("not a readable file").file(path.string());
    doc->file_size_ = std::filesystem::file_size(path, ec);
    if (ec)
        throw input_error("cannot read: " + ec.message()).file(path.string());

    auto file = std::make_shared<FileHandle>(path);
    std::string head = file->read_string(0, 1024);
    if (head.find("%PDF-") == std::string::npos)
        throw input_error("not a PDF file (no %PDF- header)")
            .file(path.string())
            .hint("neac signs PDF files; convert DOC/DOCX to PDF first");

    auto encrypted = [&] {
        return input_error("encrypted PDFs are not supported")
            .file(path.string())
            .hint("remove the encryption first (e.g. qpdf --decrypt) and sign the result");
    };
    // First as written, without any recovery: what an incremental update can rely on.
    doc->qpdf_ = std::make_unique<QPDF>();
    doc->qpdf_->setSuppressWarnings(true);
    doc->qpdf_->setAttemptRecovery(false);
    std::string broken_xref; // why QPDF could not read the cross-reference chain as written
    try {
        doc->qpdf_->processFile(path.c_str());
        if (lenient)
            probe_signing_path(*doc->qpdf_);
    } catch (const QPDFExc& e) {
        std::string detail = e.getMessageDetail() + " " + e.getObject();
        if (e.getErrorCode() == qpdf_e_password || detail.find("ncrypt") != std::string::npos)
            throw encrypted();
        if (!lenient)
            throw input_error("damaged PDF, QPDF could only open it by repairing it: " +
                              e.getMessageDetail())
                .file(path.string())
                .offset(static_cast<std::int64_t>(e.getFilePosition()))
                .hint("repair it into a new file (e.g. qpdf in.pdf repaired.pdf), check it, then "
                      "sign that");
        broken_xref = e.getMessageDetail();
    } catch (Error& e) {
        if (e.file().empty())
            e.file(path.string());
        throw;
    } catch (const std::exception& e) {
        if (!lenient)
            throw input_error(std::string("cannot read PDF: ") + e.what()).file(path.string());
        broken_xref = e.what();
    }
    if (doc->qpdf_->isEncrypted())
        throw encrypted();
    if (!lenient) {
        doc->require_no_warnings("opening");
    } else if (!broken_xref.empty() || doc->qpdf_->anyWarnings()) {
        // Damaged: read it again the way QPDF repairs it, so that an object the first reading
        // could not find (and took as null) is found by reconstructing the cross-reference table.
        if (!broken_xref.empty())
            doc->note_damage("broken cross-reference data (" + broken_xref + ")");
        doc->qpdf_ = std::make_unique<QPDF>();
        doc->qpdf_->setSuppressWarnings(true);
        try {
            doc->qpdf_->processFile(path.c_str());
            probe_signing_path(*doc->qpdf_);
        } catch (Error& e) {
            if (e.file().empty())
                e.file(path.string());
            throw;
        } catch (const std::exception& e) {
            throw input_error(std::string("damaged PDF that cannot be repaired: ") + e.what())
                .file(path.string());
        }
        if (doc->qpdf_->isEncrypted())
            throw encrypted();
        if (doc->collect_warnings() || !broken_xref.empty())
            doc->appendable_ = false;
    }
    QPDF& q = *doc->qpdf_;

    StartXref start = find_startxref(*file);
    if (!start.found || !start.at_end || start.offset >= doc->file_size_) {
        std::string problem = !start.found   ? "no startxref at the end of the file"
                              : start.at_end ? "startxref points past the end of the file"
                                             : start.problem;
        if (!lenient)
            throw input_error(problem).file(path.string());
        doc->appendable_ = false;
        doc->note_damage(problem);
    } else {
        doc->startxref_ = start.offset;
        std::string at = file->read_string(doc->startxref_, 64);
        std::size_t skip = 0;
        while (skip < at.size() && is_pdf_space(at[skip]))
            ++skip;
        if (at.compare(skip, 4, "xref") == 0)
            doc->xref_kind_ =
                q.getTrailer().hasKey("/XRefStm") ? XrefKind::Hybrid : XrefKind::Table;
        else
            doc->xref_kind_ = XrefKind::Stream;
    }

    // New objects are numbered from the trailer's /Size: objects at or above it would collide.
    QPDFObjectHandle size = q.getTrailer().getKey("/Size");
    int highest = 0;
    for (const auto& [og, entry] : q.getXRefTable()) {
        (void)entry;
        highest = std::max(highest, og.getObj());
    }
    if (!size.isInteger() || size.getIntValue() <= 0 || size.getIntValue() > limits::kPdfObjects) {
        if (!lenient)
            throw input_error("trailer /Size is missing or out of range").file(path.string());
        doc->note_damage("trailer /Size is missing or out of range");
        doc->trailer_size_ = highest + 1;
    } else if (highest >= size.getIntValue()) {
        if (!lenient)
            throw input_error("object " + std::to_string(highest) +
                              " is numbered beyond the trailer /Size " +
                              std::to_string(size.getIntValue()))
                .file(path.string());
        doc->note_damage("object " + std::to_string(highest) +
                         " is numbered beyond the trailer /Size");
        doc->trailer_size_ = highest + 1;
    } else {
        doc->trailer_size_ = static_cast<int>(size.getIntValue());
    }
    if (doc->trailer_size_ > limits::kPdfObjects)
        throw input_error("too many objects for another revision").file(path.string());

    std::string last = file->read_string(doc->file_size_ - 1, 1);
    doc->ends_with_eol_ = !last.empty() && (last[0] == '\n' || last[0] == '\r');
    spdlog::debug("{}: {} bytes, startxref {}, xref {}, /Size {}{}", path.string(), doc->file_size_,
                  doc->startxref_, xref_kind_name(doc->xref_kind_), doc->trailer_size_,
                  doc->damaged() ? ", damaged" : "");
    return doc;
}

void Document::note_damage(std::string what) {
    constexpr std::size_t kShown = 3;
    if (damage_.size() < kShown && std::find(damage_.begin(), damage_.end(), what) == damage_.end())
        damage_.push_back(std::move(what));
}

bool Document::collect_warnings() {
    bool reconstructed = false;
    if (!qpdf_->anyWarnings())
        return reconstructed;
    for (const QPDFExc& w : qpdf_->getWarnings()) {
        const std::string& detail = w.getMessageDetail();
        // QPDF's account of the reconstruction itself says nothing the other warnings do not.
        if (detail == "file is damaged" ||
            detail.find("Attempting to reconstruct") != std::string::npos) {
            reconstructed = true;
            continue;
        }
        if (std::none_of(damage_.begin(), damage_.end(),
                         [&](const std::string& d) { return d.find(detail) != std::string::npos; }))
            note_damage(detail);
    }
    return reconstructed;
}

bool Document::carries_signatures() {
    try {
        if (!scan_fields(*qpdf_).signatures.empty())
            return true;
    } catch (const std::exception&) {
        return true; // a form that cannot be read may well hold one
    }
    return file_contains(path_, "/ByteRange");
}

void Document::require_no_warnings(const char* while_doing) const {
    if (accept_damage_ || !qpdf_->anyWarnings())
        return;
    std::vector<QPDFExc> warnings = qpdf_->getWarnings();
    std::string first = warnings.empty() ? "" : warnings.front().getMessageDetail();
    Error err = input_error(std::string("damaged PDF: QPDF had to repair it while ") + while_doing +
                            ": " + first);
    err.file(path_.string());
    if (!warnings.empty() && warnings.front().getFilePosition() > 0)
        err.offset(static_cast<std::int64_t>(warnings.front().getFilePosition()));
    err.hint("repair it into a new file (e.g. qpdf in.pdf repaired.pdf), check it, then sign that");
    throw err;
}

} // namespace neac::pdf

namespace neac::pdf {

void write_repaired_copy(Document& doc, const std::filesystem::path& target) {
    try {
        QPDFWriter w(doc.qpdf(), target.c_str());
        // Stream data is copied as it is: nothing is decoded, so no filter can blow up.
        w.setStreamDataMode(qpdf_s_preserve);
        w.setObjectStreamMode(qpdf_o_preserve);
        w.write();
    } catch (const std::exception& e) {
        throw input_error(std::string("damaged PDF that cannot be repaired: ") + e.what())
            .file(doc.path().string());
    }
}

} // namespace neac::pdf
