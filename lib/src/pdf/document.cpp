#include "neac/pdf/document.hpp"

#include "neac/pdf/revisions.hpp"
#include "neac/util/error.hpp"

#include <cstring>
#include <qpdf/QPDFExc.hh>
#include <spdlog/spdlog.h>
#include <vector>

namespace neac::pdf {
namespace {

bool is_pdf_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
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

std::unique_ptr<Document> Document::open(const std::filesystem::path& path) {
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

    doc->qpdf_ = std::make_unique<QPDF>();
    QPDF& q = *doc->qpdf_;
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(false);
    try {
        q.processFile(path.c_str());
    } catch (const QPDFExc& e) {
        std::string detail = e.getMessageDetail() + " " + e.getObject();
        bool about_encryption = detail.find("ncrypt") != std::string::npos;
        if (e.getErrorCode() == qpdf_e_password || about_encryption)
            throw input_error("encrypted PDFs are not supported")
                .file(path.string())
                .hint("remove the encryption first (e.g. qpdf --decrypt) and sign the result");
        throw input_error("damaged PDF, QPDF could only open it by repairing it: " +
                          e.getMessageDetail())
            .file(path.string())
            .offset(static_cast<std::int64_t>(e.getFilePosition()))
            .hint("repair it into a new file (e.g. qpdf in.pdf repaired.pdf), check it, then sign "
                  "that");
    } catch (const std::exception& e) {
        throw input_error(std::string("cannot read PDF: ") + e.what()).file(path.string());
    }
    if (q.isEncrypted())
        throw input_error("encrypted PDFs are not supported")
            .file(path.string())
            .hint("remove the encryption first (e.g. qpdf --decrypt) and sign the result");
    doc->require_no_warnings("opening");

    StartXref start = find_startxref(*file);
    if (!start.found || !start.at_end)
        throw input_error(start.found ? start.problem : "no startxref at the end of the file")
            .file(path.string());
    doc->startxref_ = start.offset;
    if (doc->startxref_ >= doc->file_size_)
        throw input_error("startxref points past the end of the file")
            .file(path.string())
            .offset(static_cast<std::int64_t>(doc->startxref_));

    std::string at = file->read_string(doc->startxref_, 64);
    std::size_t skip = 0;
    while (skip < at.size() && is_pdf_space(at[skip]))
        ++skip;
    QPDFObjectHandle trailer = q.getTrailer();
    if (at.compare(skip, 4, "xref") == 0) {
        doc->xref_kind_ = trailer.hasKey("/XRefStm") ? XrefKind::Hybrid : XrefKind::Table;
    } else {
        doc->xref_kind_ = XrefKind::Stream;
    }
    QPDFObjectHandle size = trailer.getKey("/Size");
    if (!size.isInteger() || size.getIntValue() <= 0 || size.getIntValue() > 8388607)
        throw input_error("trailer /Size is missing or out of range").file(path.string());
    doc->trailer_size_ = static_cast<int>(size.getIntValue());
    // Objects numbered at or above /Size would collide with ours: refuse such files.
    for (const auto& [og, entry] : q.getXRefTable()) {
        (void)entry;
        if (og.getObj() >= doc->trailer_size_)
            throw input_error("object " + std::to_string(og.getObj()) +
                              " is numbered beyond the trailer /Size " +
                              std::to_string(doc->trailer_size_))
                .file(path.string());
    }

    std::string last = file->read_string(doc->file_size_ - 1, 1);
    doc->ends_with_eol_ = !last.empty() && (last[0] == '\n' || last[0] == '\r');
    spdlog::debug("{}: {} bytes, startxref {}, xref {}, /Size {}", path.string(), doc->file_size_,
                  doc->startxref_, xref_kind_name(doc->xref_kind_), doc->trailer_size_);
    return doc;
}

void Document::require_no_warnings(const char* while_doing) const {
    if (!qpdf_->anyWarnings())
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
