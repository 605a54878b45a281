// An owned POSIX file descriptor, closed when it goes out of scope. Internal to neac (the test
// simulators include it too).
#pragma once

#include <unistd.h>

namespace neac {

class Fd {
public:
    // Takes ownership of `fd`; a negative value (a failed open) owns nothing.
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const noexcept { return fd_; }
    // Gives up ownership: the caller closes the descriptor (and sees close's result).
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

} // namespace neac
