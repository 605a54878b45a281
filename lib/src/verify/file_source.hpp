// Reading a PDF for verification without copying it: one read-only descriptor per file, shared by
// QPDF views of each revision (a BoundedSource sees only the first `limit` bytes, as the file was
// when that revision was signed) and by the streaming hash of the byte ranges.
#pragma once

#include <qpdf/InputSource.hh>
#include <qpdf/QPDF.hh>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace neac::verify::detail {

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

// Opens the prefix [0, limit) with QPDF, strictly: no xref reconstruction, warnings collected
// (not printed). Throws QPDFExc/std::exception from QPDF; the caller turns them into verdicts.
std::unique_ptr<QPDF> open_revision(std::shared_ptr<const FileHandle> file, std::uint64_t limit);

} // namespace neac::verify::detail
