// Typed errors. Library code throws neac::Error with a Kind; only cmd/main.cpp turns a Kind into a
// process exit code (see neac/util/exit_code.hpp), so the mapping exists in exactly one place.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace neac {

// What went wrong, from the user's point of view. Each kind maps to one exit code.
enum class ErrorKind {
    Usage,         // bad flags or arguments
    BadInput,      // unreadable, malformed, encrypted or unsupported file, profile or manifest
    Remote,        // provider, portal, TSA, OCSP: network, TLS, auth, protocol
    NotApproved,   // the signer rejected the request, or it expired
    Verification,  // a signature is invalid or a required one is missing
    Indeterminate, // nothing failed but something could not be established
    Interrupted,   // SIGINT / SIGTERM
    Internal,      // a bug: an invariant did not hold
};

// Stable machine-readable name of a kind ("bad_input", ...), used in --json error objects.
const char* error_kind_name(ErrorKind kind);

// An error meant for the user. The message says what was expected; `hint` says what to do.
// `file`, `line`, `column`, `offset` and `object` locate the problem when known.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message);

    ErrorKind kind() const noexcept { return kind_; }

    Error& file(std::string path);
    Error& line(int line, int column = 0);
    Error& offset(std::int64_t byte_offset);
    Error& object(std::string object_ref);
    Error& hint(std::string what_to_do);

    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }
    std::optional<std::int64_t> offset() const noexcept { return offset_; }
    const std::string& object() const noexcept { return object_; }
    const std::string& hint() const noexcept { return hint_; }

    // "file:line:column: message (object N G R, offset K)" followed by the hint on its own line.
    std::string describe() const;

private:
    ErrorKind kind_;
    std::string file_;
    int line_ = 0;
    int column_ = 0;
    std::optional<std::int64_t> offset_;
    std::string object_;
    std::string hint_;
};

// Shorthands for the common kinds.
Error usage_error(const std::string& message);
Error input_error(const std::string& message);
Error remote_error(const std::string& message);

} // namespace neac
