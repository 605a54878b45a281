// The revisions of a PDF file, read without copying it: one read-only descriptor per file, shared
// by QPDF views of each revision (a view sees only the first `end` bytes, the file as it was when
// that revision was written) and by streaming readers such as the signature hash.
//
// Revisions are found by following the chain of cross-reference sections from the last startxref
// through /Prev (never by scanning the whole file, so a 300 MB file costs a few reads).
//
// Opening is layered for readers that must be tolerant where it is harmless: open_revision()
// reads a prefix through its own cross-reference chain and collects QPDF's warnings (a wrong
// /Size, whitespace before "xref", a lookup of a missing object) instead of failing on them; it
// throws only when QPDF cannot read the prefix at all. open_repaired() lets QPDF reconstruct the
// cross-reference table, for readers that want whatever objects the file still holds.
#pragma once

#include <qpdf/InputSource.hh>
#include <qpdf/QPDF.hh>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace neac::pdf {

// An open, read-only file. Reads are pread(2), so one handle serves several readers.
class FileHandle {
public:
    // Throws Error(BadInput) naming the file when it cannot be opened.
    explicit FileHandle(const std::filesystem::path& path);
    ~FileHandle();
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    std::uint64_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }
    // Reads up to `length` bytes at `offset` (fewer at end of file). Throws Error(BadInput) on I/O
    // errors.
    std::size_t read_at(std::uint64_t offset, void* buffer, std::size_t length) const;
    // Convenience: a string of the bytes [offset, offset + length) clipped to the file.
    std::string read_string(std::uint64_t offset, std::size_t length) const;

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// A QPDF InputSource over the prefix [0, limit) of a FileHandle. Keeps a small read-ahead window.
class BoundedSource final : public InputSource {
public:
    BoundedSource(std::shared_ptr<const FileHandle> file, std::uint64_t limit, std::string name);

    qpdf_offset_t findAndSkipNextEOL() override;
    std::string const& getName() const override { return name_; }
    qpdf_offset_t tell() override { return pos_; }
    void seek(qpdf_offset_t offset, int whence) override;
    void rewind() override { pos_ = 0; }
    size_t read(char* buffer, size_t length) override;
    void unreadCh(char ch) override;

private:
    std::shared_ptr<const FileHandle> file_;
    qpdf_offset_t limit_;
    qpdf_offset_t pos_ = 0;
    std::string name_;
    std::string window_;
    qpdf_offset_t window_start_ = -1;
};

// Opens the prefix [0, limit) with QPDF through its own cross-reference chain (no
// reconstruction), warnings collected rather than printed, an empty user password tried for
// encrypted files. Throws QPDFExc/std::exception from QPDF when the prefix cannot be read.
std::unique_ptr<QPDF> open_revision(std::shared_ptr<const FileHandle> file, std::uint64_t limit);
// The same with QPDF's cross-reference reconstruction allowed: for a file whose chain is broken.
std::unique_ptr<QPDF> open_repaired(std::shared_ptr<const FileHandle> file, std::uint64_t limit);

// QPDF's warnings as one line each ("offset 1234: ..."), at most `max` of them.
std::vector<std::string> warning_lines(QPDF& q, std::size_t max = 8);

struct Revision {
    int number = 0; // 1-based, oldest first
    std::uint64_t xref_offset = 0;
    std::uint64_t marker_end = 0; // just past "%%EOF"
    std::uint64_t end = 0;        // just past "%%EOF" and its end-of-line
    std::string xref_kind;        // "table", "stream", "hybrid"
};

// The last "startxref" of the file and the offset it gives (the /Prev of the next revision).
// Searched in the last 4 KiB, then further back (bounded) for a file cut short or with data
// appended; `at_end` says whether it was where it belongs.
struct StartXref {
    bool found = false;
    bool at_end = false;
    std::uint64_t offset = 0;
    std::string problem; // why it is missing or misplaced
};
StartXref find_startxref(const FileHandle& file);

// The revisions, oldest first. Sets `problem` (and returns what it found so far) when the chain
// cannot be followed: no startxref, a /Prev loop, a section that is not an xref.
std::vector<Revision> find_revisions(const FileHandle& file, std::string& problem);

// A revision opened with QPDF, with its cross-reference table; shared by the analyses that need it.
struct RevisionView {
    Revision info;
    std::unique_ptr<QPDF> qpdf;
    std::map<QPDFObjGen, QPDFXRefEntry> xref;
    std::string error;                 // set when QPDF could not open this revision at all
    std::vector<std::string> warnings; // what QPDF tolerated while opening it
};

} // namespace neac::pdf
