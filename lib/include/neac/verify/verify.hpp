// CI-grade validation of signed PDF files (the library behind `neac verify`; `submit` and
// `history` call it too).
//
// For each signature and document timestamp: ByteRange shape and coverage with the
// signature-wrapping and universal-forgery defences; the CMS (BER accepted), message digest over
// the streamed byte ranges, signed attributes, signature value; the signed revision parsed through
// its own xref chain and compared object by object with every later revision (DocMDP/FieldMDP and
// the policy decide what is allowed); the certificate path to the caller's trust anchors at the
// best signing time; revocation from embedded data (and on line when asked); timestamps.
#pragma once

#include "neac/verify/report.hpp"

#include <functional>

namespace neac::verify {

// Verifies one file. Never throws for problems with the file: an unreadable, encrypted, damaged
// or hostile file comes back with status BadInput and the reason; a signature problem is a
// verdict in the report. Throws Error(BadInput/Usage) only for a policy that cannot be applied
// (an unreadable --trust file, a malformed --expect-signer regex).
VerifyReport verify_file(const std::filesystem::path& file, const Policy& policy);

// Expands the arguments (files, and folders searched recursively for *.pdf in name order) and
// verifies them on `jobs` threads (0 = hardware concurrency). Results come back in input order;
// `done` (optional) is called as each file finishes, from the worker thread, in any order.
// A path that does not exist is reported as a BadInput report, not thrown.
std::vector<VerifyReport> verify_files(const std::vector<std::filesystem::path>& inputs,
                                       const Policy& policy, unsigned jobs = 0,
                                       const std::function<void(const VerifyReport&)>& done = {});

// The files verify_files() would check for these arguments, in order.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::filesystem::path>& inputs);

// The exit code for a set of reports (DESIGN.md): 1 if anything FAILED, else 4 if a file could not
// be read, else 3 if anything is INDETERMINATE, else 0.
int exit_code_for(const std::vector<VerifyReport>& reports);

} // namespace neac::verify
