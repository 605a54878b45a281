// Test support: the test PKI (tests/support/make_pki.sh), temporary folders, running commands,
// and background simulator processes. Linked into neac_unit_tests.
#pragma once

#include "neac/util/error.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

namespace neac::testing {

// The folder of the test PKI (see make_pki.sh for its files; every .p12 password is "test123").
// Made on first use under /tmp/neac-test-pki-<uid>-<script hash>/ and shared by every test
// process of every run while the script is unchanged; creation is serialised with a file lock,
// because ctest runs test cases as parallel processes. Throws std::runtime_error on failure.
const std::filesystem::path& test_pki();
inline std::filesystem::path pki_file(const std::string& name) {
    return test_pki() / name;
}
inline constexpr const char* kPkiPassword = "test123";

// A fresh folder under /tmp, removed with its content when the object dies.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "neac-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int status = -1;    // exit status, or -1 if it did not exit normally
    std::string output; // stdout and stderr together
};
// Runs `command` with /bin/sh, capturing stdout+stderr.
CommandResult run_command(const std::string& command);
// Single-quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

// The folder holding the running test binary (the simulators are built beside it).
std::filesystem::path build_tests_dir();

// A simulator started in the background. It must print "listening on http(s)://127.0.0.1:PORT"
// on stdout once ready (the convention of tests/sim/*); the constructor waits for that line.
// The destructor sends SIGTERM and reaps the process.
class BackgroundProcess {
public:
    BackgroundProcess(const std::filesystem::path& program, const std::vector<std::string>& args);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    int port() const { return port_; }
    std::string url(const std::string& path = "/") const;

private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string scheme_ = "http";
};

// Runs `f`, which must throw neac::Error, and returns that error. Anything else (no exception, or
// another exception type) is reported as a std::runtime_error naming `what`, failing the test.
template <class F> neac::Error expect_error(F&& f, const std::string& what = "the call") {
    try {
        f();
    } catch (const neac::Error& e) {
        return e;
    } catch (const std::exception& e) {
        throw std::runtime_error(what + " threw a non-neac exception: " + e.what());
    }
    throw std::runtime_error(what + " did not throw");
}

} // namespace neac::testing
