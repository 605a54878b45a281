// A PDF opened for reading with QPDF, plus what QPDF does not expose and an incremental writer
// needs: the file's last startxref, the kind of cross-reference section it ends with, and whether
// the bytes end with an end-of-line marker.
//
// Opening is strict: files that QPDF can only read by repairing them, and encrypted files, are
// refused with Error(BadInput), because appending to a file whose structure was guessed produces
// signatures other validators reject.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <qpdf/QPDF.hh>

namespace neac::pdf {

enum class XrefKind {
    Table,  // classic "xref" table + trailer dictionary
    Stream, // cross-reference stream (PDF 1.5)
    Hybrid, // table whose trailer points to an /XRefStm (MS Office style)
};

const char* xref_kind_name(XrefKind kind);

class Document {
public:
    // Opens and checks the file. Throws Error(BadInput) naming the file and the reason.
    static std::unique_ptr<Document> open(const std::filesystem::path& path);

    QPDF& qpdf() { return *qpdf_; }
    const std::filesystem::path& path() const { return path_; }
    std::uint64_t file_size() const { return file_size_; }
    // Offset given by the last "startxref" in the file: the /Prev of the next revision.
    std::uint64_t startxref() const { return startxref_; }
    XrefKind xref_kind() const { return xref_kind_; }
    bool ends_with_eol() const { return ends_with_eol_; }
    // The trailer's /Size: the first object number free for new objects.
    int next_object_number() const { return trailer_size_; }

    // Fails with Error(BadInput) if QPDF has issued warnings since opening (it met damage while
    // resolving objects lazily). Call after walking the objects an update will touch.
    void require_no_warnings(const char* while_doing) const;

private:
    Document() = default;

    std::filesystem::path path_;
    std::unique_ptr<QPDF> qpdf_;
    std::uint64_t file_size_ = 0;
    std::uint64_t startxref_ = 0;
    XrefKind xref_kind_ = XrefKind::Table;
    bool ends_with_eol_ = true;
    int trailer_size_ = 0;
};

} // namespace neac::pdf
