// Atomic file replacement: write to a temporary file in the target's folder, flush it to disk,
// then rename it over the target. Readers see the old file or the new one, never a mix, and a
// failure at any point leaves the target untouched.
#pragma once

#include "neac/util/limits.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace neac {

class AtomicFile {
public:
    // Creates "<target>.XXXXXX" beside `target` with permission bits `mode`.
    // Throws Error(BadInput) when the folder is not writable.
    AtomicFile(std::filesystem::path target, mode_t mode = 0644);
    // Creates exactly `temp` (which must not exist: O_EXCL) as the temporary file, for callers
    // that record its name before it exists (the signing journal). Error(BadInput) when it
    // exists or cannot be created.
    AtomicFile(std::filesystem::path target, std::filesystem::path temp, mode_t mode);
    // Removes the temporary file unless commit() succeeded.
    ~AtomicFile();

    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view data) { write(data.data(), data.size()); }
    // Appends the first `size` bytes of `source`, in the kernel where it can (copy_file_range),
    // so that no user-space copy is made. Throws Error(BadInput) if the source is shorter.
    void append_file(const std::filesystem::path& source, std::uint64_t size);
    // Overwrites bytes already written, at an absolute offset (used to patch placeholders).
    void write_at(std::uint64_t offset, const void* data, std::size_t size);

    std::uint64_t size() const noexcept { return written_; }
    const std::filesystem::path& temp_path() const noexcept { return temp_; }
    const std::filesystem::path& target() const noexcept { return target_; }
    int fd() const noexcept { return fd_; }

    // fsync, close, rename over the target, fsync the folder. After this the destructor is a no-op.
    void commit();
    // Keeps the temporary file on disk after destruction (its path is recorded elsewhere, e.g.
    // in the signing journal) and closes the descriptor. No fsync: a crashed process loses
    // nothing from the page cache, and whoever renames the file later flushes it first.
    void detach();

private:
    // fchmod of the new temporary file; on failure closes and removes it, then throws.
    void set_mode(mode_t mode);

    std::filesystem::path target_;
    std::filesystem::path temp_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
    bool done_ = false;
};

// A new, private folder under the system's temporary folder ($TMPDIR, else /tmp), removed with
// everything in it on destruction. Throws Error(BadInput) when it cannot be made.
class TemporaryFolder {
public:
    explicit TemporaryFolder(std::string_view prefix);
    ~TemporaryFolder();
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

// What an output path is now. Throws Error(BadInput) for what neac never writes to: a symbolic
// link (its target may be anywhere), a folder, a socket or a block device.
enum class OutputKind { Absent, RegularFile, Stream /* character device or FIFO */ };
OutputKind output_kind(const std::filesystem::path& target);

// Writes `content` to `target` with permission bits `mode`: atomically for a file (new or
// replaced), streamed through for a character device or FIFO (/dev/null, /dev/stdout), refused
// for anything else (see output_kind).
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           mode_t mode = 0644);

// The first line of a file that holds a secret (a password, a token), without its line end.
// Error(BadInput) naming the file, `what` it holds and the fix when it is not a regular file, can
// be read by other users (chmod 600), is larger than 64 KiB or its first line is empty.
std::string read_secret_file(const std::filesystem::path& path, std::string_view what);

// Reads a whole small file (profiles, manifests, PEM files). Throws Error(BadInput) naming it.
std::string read_small_file(const std::filesystem::path& path,
                            std::size_t max_size = limits::kSmallFileBytes);

// Moves a temporary file to `target`, which must be absent or a regular file (see output_kind).
// Without `may_replace`, a file that appeared at `target` meanwhile is kept and Error(BadInput)
// says so. With `durable`, also fsyncs the folder so that the rename itself survives a power cut
// (the caller has flushed the file).
void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& target,
                       bool durable = true, bool may_replace = true);

} // namespace neac
