#include "neac/util/atomic_file.hpp"

#include "neac/util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace neac {
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

void fsync_folder(const std::filesystem::path& folder) {
    int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return; // not fatal: the rename itself is done
    ::fsync(fd);
    ::close(fd);
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path target, mode_t mode) : target_(std::move(target)) {
    std::string pattern = target_.string() + ".XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    fd_ = ::mkostemp(buf.data(), O_CLOEXEC);
    if (fd_ < 0)
        throw input_error("cannot create a temporary file beside the output: " + errno_text())
            .file(target_.string())
            .hint("check that the folder exists and is writable");
    temp_ = buf.data();
    set_mode(mode);
}

AtomicFile::AtomicFile(std::filesystem::path target, std::filesystem::path temp, mode_t mode)
    : target_(std::move(target)), temp_(std::move(temp)) {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        int saved = errno; // (a constructor that throws runs no destructor: nothing is removed)
        throw input_error("cannot create a temporary file beside the output: " +
                          std::string(std::strerror(saved)))
            .file(target_.string())
            .hint(saved == EEXIST ? "a file of that name exists; sign again"
                                  : "check that the folder exists and is writable");
    }
    set_mode(mode);
}

// A constructor that throws runs no destructor: the file just created is removed here.
void AtomicFile::set_mode(mode_t mode) {
    if (::fchmod(fd_, mode) == 0)
        return;
    int saved = errno;
    ::close(fd_);
    ::unlink(temp_.c_str());
    throw input_error(std::string("cannot set file mode: ") + std::strerror(saved))
        .file(temp_.string());
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0)
        ::close(fd_);
    if (!done_)
        ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd_, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw input_error("cannot write: " + errno_text()).file(temp_.string());
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        written_ += static_cast<std::uint64_t>(n);
    }
}

void AtomicFile::append_file(const std::filesystem::path& source, std::uint64_t size) {
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0)
        throw input_error("cannot open: " + errno_text()).file(source.string());
    std::uint64_t done = 0;
    bool kernel_copy = true;
    std::vector<char> buf;
    try {
        while (done < size) {
            std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(size - done, 1 << 30));
            ssize_t n = -1;
            if (kernel_copy) {
                loff_t in_off = static_cast<loff_t>(done);
                n = ::copy_file_range(in, &in_off, fd_, nullptr, want, 0);
                if (n < 0 &&
                    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                    kernel_copy = false; // another file system or an old kernel: copy by hand
                    buf.resize(1 << 20);
                    continue;
                }
            } else {
                n = ::pread(in, buf.data(), std::min(want, buf.size()), static_cast<off_t>(done));
                if (n > 0)
                    write(buf.data(), static_cast<std::size_t>(n));
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw input_error("cannot copy: " + errno_text()).file(source.string());
            if (n == 0)
                throw input_error("the file shrank while it was being copied")
                    .file(source.string());
            done += static_cast<std::uint64_t>(n);
            if (kernel_copy)
                written_ += static_cast<std::uint64_t>(n);
        }
    } catch (...) {
        ::close(in);
        throw;
    }
    ::close(in);
}

void AtomicFile::write_at(std::uint64_t offset, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::pwrite(fd_, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw input_error("cannot write: " + errno_text()).file(temp_.string());
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void AtomicFile::commit() {
    if (::fsync(fd_) != 0)
        throw input_error("cannot flush to disk: " + errno_text()).file(temp_.string());
    if (::close(fd_) != 0) {
        fd_ = -1;
        throw input_error("cannot close: " + errno_text()).file(temp_.string());
    }
    fd_ = -1;
    rename_into_place(temp_, target_);
    done_ = true;
}

void AtomicFile::detach() {
    ::close(fd_);
    fd_ = -1;
    done_ = true;
}

OutputKind output_kind(const std::filesystem::path& target) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return OutputKind::Absent;
        throw input_error("cannot inspect the output: " + errno_text()).file(target.string());
    }
    if (S_ISREG(st.st_mode))
        return OutputKind::RegularFile;
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
        return OutputKind::Stream;
    if (S_ISLNK(st.st_mode))
        throw input_error("the output is a symbolic link; give the path it points to")
            .file(target.string());
    if (S_ISDIR(st.st_mode))
        throw input_error("the output is a folder").file(target.string());
    throw input_error("the output is a special file (socket or block device)")
        .file(target.string());
}

void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& target,
                       bool durable, bool may_replace) {
    // Only ever over a regular file (or nothing): never over a device, a folder or a link.
    OutputKind kind = output_kind(target);
    if (kind == OutputKind::Stream)
        throw input_error("the output is a device or a FIFO, not a file").file(target.string());
    if (may_replace) {
        if (::rename(from.c_str(), target.c_str()) != 0)
            throw input_error("cannot rename the finished file into place: " + errno_text())
                .file(target.string());
    } else if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) !=
               0) {
        if (errno == EEXIST)
            throw input_error("the output appeared while this run was working; it was not "
                              "replaced")
                .file(target.string())
                .hint("another program or a second neac run writes the same output; give "
                      "--force to replace it");
        throw input_error("cannot rename the finished file into place: " + errno_text())
            .file(target.string());
    }
    if (durable)
        fsync_folder(target.parent_path());
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           mode_t mode) {
    if (output_kind(target) == OutputKind::Stream) {
        // /dev/null, /dev/stdout, a FIFO a reader waits on: written through, never replaced.
        int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            throw input_error("cannot open: " + errno_text()).file(target.string());
        std::size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                int saved = errno;
                ::close(fd);
                throw input_error(std::string("cannot write: ") + std::strerror(saved))
                    .file(target.string());
            }
            done += static_cast<std::size_t>(n);
        }
        ::close(fd);
        return;
    }
    AtomicFile out(target, mode);
    out.write(content);
    out.commit();
}

std::string read_secret_file(const std::filesystem::path& path, std::string_view what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw input_error("cannot read the " + std::string(what) + " file: " + errno_text())
            .file(path.string());
    if (S_ISREG(st.st_mode) && (st.st_mode & 077))
        throw input_error("the " + std::string(what) + " file is readable by other users")
            .file(path.string())
            .hint("chmod 600 " + path.string());
    std::string content = read_small_file(path, 64 << 10);
    std::string line = content.substr(0, content.find_first_of("\r\n"));
    if (line.empty())
        throw input_error("the " + std::string(what) + " file is empty").file(path.string());
    return line;
}

std::string read_small_file(const std::filesystem::path& path, std::size_t max_size) {
    // A FIFO or a device would block or never end: only regular files are read.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw input_error(std::filesystem::exists(path, ec) ? "not a regular file" : "no such file")
            .file(path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw input_error(std::string("cannot open: ") + std::strerror(errno)).file(path.string());
    std::string data;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        data.append(buf, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_size)
            throw input_error("file is too large (more than " + std::to_string(max_size) +
                              " bytes)")
                .file(path.string());
    }
    if (in.bad())
        throw input_error("cannot read").file(path.string());
    return data;
}

} // namespace neac

namespace neac {

TemporaryFolder::TemporaryFolder(std::string_view prefix) {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec)
        base = "/tmp";
    std::string pattern = (base / (std::string(prefix) + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw input_error(std::string("cannot make a temporary folder: ") + std::strerror(errno))
            .file(base.string());
    path_ = pattern;
}

TemporaryFolder::~TemporaryFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace neac
