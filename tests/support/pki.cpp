#include "support/pki.hpp"

#include "neac/crypto/digest.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NEAC_SOURCE_DIR
#error "NEAC_SOURCE_DIR must be defined by the build"
#endif

namespace neac::testing {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

CommandResult run_command(const std::string& command) {
    CommandResult r;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p)
        throw std::runtime_error("popen failed for: " + command);
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.output.append(buf.data(), n);
    int status = ::pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!f)
        throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

const fs::path& test_pki() {
    static std::once_flag once;
    static fs::path dir;
    std::call_once(once, [] {
        fs::path script = fs::path(NEAC_SOURCE_DIR) / "tests" / "support" / "make_pki.sh";
        std::string text = read_file(script);
        std::string hash =
            hex_encode(crypto::digest(crypto::DigestAlgorithm::Sha256, text.data(), text.size()))
                .substr(0, 16);
        fs::path target = fs::temp_directory_path() /
                          ("neac-test-pki-" + std::to_string(::getuid()) + "-" + hash);
        fs::path lock = target.string() + ".lock";
        int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || ::flock(fd, LOCK_EX) != 0)
            throw std::runtime_error("cannot lock " + lock.string());
        CommandResult r =
            run_command("bash " + shell_quote(script.string()) + " " + shell_quote(target));
        ::flock(fd, LOCK_UN);
        ::close(fd);
        if (r.status != 0)
            throw std::runtime_error("make_pki.sh failed: " + r.output);
        dir = target;
    });
    return dir;
}

TempDir::TempDir(const std::string& prefix) {
    std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path build_tests_dir() {
    return fs::read_symlink("/proc/self/exe").parent_path();
}

BackgroundProcess::BackgroundProcess(const fs::path& program,
                                     const std::vector<std::string>& args) {
    if (!fs::exists(program))
        throw std::runtime_error("simulator not built: " + program.string());
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_s{program.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(pipefd[1], STDOUT_FILENO);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    ::close(pipefd[1]);
    // Wait (at most 10 s) for the "listening on" line.
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        pollfd pfd{pipefd[0], POLLIN, 0};
        if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0)
            break;
        char buf[256];
        ssize_t n = ::read(pipefd[0], buf, sizeof buf);
        if (n <= 0)
            break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(pipefd[0]);
    const std::string marker = "://127.0.0.1:";
    auto pos =
        out.find("listening on ") == std::string::npos ? std::string::npos : out.find(marker);
    if (pos == std::string::npos) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        throw std::runtime_error("simulator " + program.string() +
                                 " did not report its port; output: " + out);
    }
    port_ = std::atoi(out.c_str() + pos + marker.size());
    scheme_ = out.find("listening on https://") != std::string::npos ? "https" : "http";
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string BackgroundProcess::url(const std::string& path) const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
}

} // namespace neac::testing
