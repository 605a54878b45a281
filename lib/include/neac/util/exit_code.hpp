// The process exit codes shared by every command (DESIGN.md §2). Any other code is a bug.
#pragma once

#include <array>

namespace neac {

enum class ExitCode : int {
    Ok = 0,
    VerificationFailed = 1,
    Usage = 2,
    Indeterminate = 3,
    BadInput = 4,
    RemoteError = 5,
    NotApproved = 6,
    Partial = 7,
    Interrupted = 130,
};

struct ExitCodeDoc {
    ExitCode code;
    const char* meaning;
};

// The table printed by `neac --help`; the README and man/neac.1 repeat it.
inline constexpr std::array<ExitCodeDoc, 9> kExitCodeDocs{{
    {ExitCode::Ok, "success; for verify: every signature passed the policy"},
    {ExitCode::VerificationFailed,
     "verification failed: invalid signature, forbidden change, or missing signature"},
    {ExitCode::Usage, "usage error (bad flags or arguments)"},
    {ExitCode::Indeterminate,
     "indeterminate: nothing failed, but something could not be established"},
    {ExitCode::BadInput, "bad input: unreadable, malformed, encrypted or unsupported input"},
    {ExitCode::RemoteError, "remote service error: provider, portal, TSA, OCSP"},
    {ExitCode::NotApproved, "not approved: the signer rejected the request, or it expired"},
    {ExitCode::Partial, "partial: some items of a batch succeeded and some did not"},
    {ExitCode::Interrupted, "interrupted"},
}};

} // namespace neac
