#include "neac/pdf/revisions.hpp"

#include "neac/util/error.hpp"

#include <qpdf/QPDFExc.hh>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace neac::pdf {

namespace {
constexpr std::size_t kWindow = 64 * 1024;
}

FileHandle::FileHandle(const std::filesystem::path& path) : path_(path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0)
        throw input_error(std::string("cannot open: ") + std::strerror(errno)).file(path.string());
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw input_error("not a regular file").file(path.string());
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

FileHandle::~FileHandle() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::size_t FileHandle::read_at(std::uint64_t offset, void* buffer, std::size_t length) const {
    std::size_t done = 0;
    char* out = static_cast<char*>(buffer);
    while (done < length && offset + done < size_) {
        ssize_t n = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw input_error(std::string("read error: ") + std::strerror(errno))
                .file(path_.string())
                .offset(static_cast<std::int64_t>(offset + done));
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

std::string FileHandle::read_string(std::uint64_t offset, std::size_t length) const {
    if (offset >= size_)
        return {};
    if (length > size_ - offset)
        length = static_cast<std::size_t>(size_ - offset);
    std::string out(length, '\0');
    out.resize(read_at(offset, out.data(), length));
    return out;
}

BoundedSource::BoundedSource(std::shared_ptr<const FileHandle> file, std::uint64_t limit,
                             std::string name)
    : file_(std::move(file)),
      limit_(static_cast<qpdf_offset_t>(std::min<std::uint64_t>(limit, file_->size()))),
      name_(std::move(name)) {}

void BoundedSource::seek(qpdf_offset_t offset, int whence) {
    qpdf_offset_t target = 0;
    switch (whence) {
    case SEEK_SET:
        target = offset;
        break;
    case SEEK_CUR:
        target = pos_ + offset;
        break;
    case SEEK_END:
        target = limit_ + offset;
        break;
    default:
        throw std::logic_error("BoundedSource::seek: bad whence");
    }
    if (target < 0)
        throw std::runtime_error(name_ + ": seek before the start of the file");
    pos_ = target;
}

size_t BoundedSource::read(char* buffer, size_t length) {
    last_offset = pos_;
    if (pos_ >= limit_ || length == 0)
        return 0;
    size_t want = static_cast<size_t>(
        std::min<qpdf_offset_t>(static_cast<qpdf_offset_t>(length), limit_ - pos_));
    size_t done = 0;
    // Small reads (the tokenizer asks for 128 bytes at a time) go through the window; large ones
    // (stream data) straight to the file.
    if (want >= kWindow) {
        done = file_->read_at(static_cast<std::uint64_t>(pos_), buffer, want);
    } else {
        if (window_start_ < 0 || pos_ < window_start_ ||
            pos_ + static_cast<qpdf_offset_t>(want) >
                window_start_ + static_cast<qpdf_offset_t>(window_.size())) {
            std::size_t span = static_cast<std::size_t>(
                std::min<qpdf_offset_t>(static_cast<qpdf_offset_t>(kWindow), limit_ - pos_));
            window_.resize(span);
            window_.resize(file_->read_at(static_cast<std::uint64_t>(pos_), window_.data(), span));
            window_start_ = pos_;
        }
        std::size_t from = static_cast<std::size_t>(pos_ - window_start_);
        done = std::min(want, window_.size() - from);
        std::memcpy(buffer, window_.data() + from, done);
    }
    pos_ += static_cast<qpdf_offset_t>(done);
    return done;
}

void BoundedSource::unreadCh(char) {
    if (pos_ > 0)
        --pos_;
}

qpdf_offset_t BoundedSource::findAndSkipNextEOL() {
    qpdf_offset_t result = 0;
    bool done = false;
    char buf[512];
    while (!done) {
        qpdf_offset_t cur = pos_;
        size_t len = read(buf, sizeof buf);
        if (len == 0) {
            done = true;
            result = tell();
            break;
        }
        for (size_t i = 0; i < len; ++i) {
            char ch = buf[i];
            if (ch == '\n' || ch == '\r') {
                result = cur + static_cast<qpdf_offset_t>(i);
                // Skip the EOL run, as FileInputSource does.
                size_t j = i;
                while (j < len && (buf[j] == '\n' || buf[j] == '\r'))
                    ++j;
                if (j < len) {
                    pos_ = cur + static_cast<qpdf_offset_t>(j);
                } else {
                    pos_ = cur + static_cast<qpdf_offset_t>(j);
                    char c = 0;
                    while (read(&c, 1) == 1) {
                        if (c != '\n' && c != '\r') {
                            unreadCh(c);
                            break;
                        }
                    }
                }
                done = true;
                break;
            }
        }
    }
    return result;
}

namespace {

std::unique_ptr<QPDF> open_prefix(const std::shared_ptr<const FileHandle>& file,
                                  std::uint64_t limit, bool repair) {
    std::string name = file->path().string();
    if (limit < file->size())
        name += " (first " + std::to_string(limit) + " bytes)";
    auto source = std::make_shared<BoundedSource>(file, limit, name);
    auto q = std::make_unique<QPDF>();
    q->setSuppressWarnings(true);
    q->setAttemptRecovery(repair);
    q->processInputSource(source);
    return q;
}

} // namespace

std::unique_ptr<QPDF> open_revision(std::shared_ptr<const FileHandle> file, std::uint64_t limit) {
    return open_prefix(file, limit, false);
}

std::unique_ptr<QPDF> open_repaired(std::shared_ptr<const FileHandle> file, std::uint64_t limit) {
    return open_prefix(file, limit, true);
}

std::vector<std::string> warning_lines(QPDF& q, std::size_t max) {
    std::vector<std::string> out;
    if (!q.anyWarnings())
        return out;
    // getWarnings() drains QPDF's list: later lookups start a fresh one.
    for (const QPDFExc& w : q.getWarnings()) {
        if (out.size() >= max)
            break;
        std::string line = w.getMessageDetail();
        if (!w.getObject().empty())
            line = w.getObject() + ": " + line;
        if (w.getFilePosition() > 0)
            line = "offset " + std::to_string(w.getFilePosition()) + ": " + line;
        if (std::find(out.begin(), out.end(), line) == out.end())
            out.push_back(std::move(line));
    }
    return out;
}

} // namespace neac::pdf
