// sign --skip-existing: whether an output that exists already is this input, signed by this
// signer. The input's bytes must begin the output (the output is the input plus revisions), so the
// match is by content, as the journal matches files, and the signature appended on top of them is
// checked the way `neac verify` checks it.
#include "neac/sign/plan.hpp"
#include "neac/util/error.hpp"
#include "neac/verify/verify.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

namespace neac::sign {
namespace {

// Whether the first `size` bytes of `whole` are the bytes of `prefix` (whose size is `size`).
bool begins_with_file(const std::filesystem::path& whole, const std::filesystem::path& prefix,
                      std::uintmax_t size) {
    std::ifstream a(whole, std::ios::binary), b(prefix, std::ios::binary);
    if (!a || !b)
        return false;
    constexpr std::size_t kChunk = 1 << 20;
    std::vector<char> x(kChunk), y(kChunk);
    for (std::uintmax_t left = size; left > 0;) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uintmax_t>(kChunk, left));
        a.read(x.data(), static_cast<std::streamsize>(want));
        b.read(y.data(), static_cast<std::streamsize>(want));
        if (static_cast<std::size_t>(a.gcount()) != want ||
            static_cast<std::size_t>(b.gcount()) != want ||
            std::memcmp(x.data(), y.data(), want) != 0)
            return false;
        left -= want;
    }
    return true;
}

} // namespace

std::string existing_output_problem(const FileJob& job, const std::string& account) {
    std::error_code ec;
    std::uintmax_t in_size = std::filesystem::file_size(job.input, ec);
    if (ec)
        return "the input cannot be read (" + ec.message() + ")";
    std::uintmax_t out_size = std::filesystem::file_size(job.output, ec);
    if (ec)
        return "it cannot be read (" + ec.message() + ")";
    if (out_size <= in_size || !begins_with_file(job.output, job.input, in_size))
        return "it does not begin with the input's bytes (another file, or the input changed)";

    verify::VerifyReport report = verify::verify_file(job.output, verify::Policy{});
    if (report.status != verify::FileStatus::Checked)
        return "it cannot be read as a PDF (" + report.error + ")";
    // The signature laid on the input: the one whose signed bytes end first past it.
    const verify::SignatureReport* on_input = nullptr;
    for (const verify::SignatureReport& s : report.signatures) {
        if (s.kind == "document_timestamp" || s.byte_range.size() != 4 || s.byte_range[0] != 0)
            continue;
        std::int64_t end = s.byte_range[2] + s.byte_range[3];
        if (end <= static_cast<std::int64_t>(in_size))
            continue;
        if (!on_input || end < on_input->byte_range[2] + on_input->byte_range[3])
            on_input = &s;
    }
    if (!on_input)
        return "it holds no signature over the input";
    if (!on_input->byte_range_ok || !on_input->intact || !on_input->valid)
        return "its signature over the input does not verify (" + on_input->reason_text + ")";
    const std::string number = on_input->signer ? on_input->signer->identity_number : "";
    if (!account.empty() && number != account)
        return "it is signed by " +
               (number.empty() ? std::string("someone without a CCCD/CMND")
                               : "CCCD/CMND " + number) +
               ", not by the profile's account " + account;
    return "";
}

void check_existing_outputs(std::vector<FileJob>& jobs, const std::string& account, bool force) {
    for (FileJob& job : jobs) {
        if (!job.skip)
            continue;
        std::string problem = existing_output_problem(job, account);
        if (problem.empty())
            continue;
        if (force) {
            job.skip = false; // replaced
            continue;
        }
        throw usage_error("the output " + job.output.string() + " exists and is not " +
                          job.input.string() + " signed by this profile: " + problem)
            .hint("use --force to replace it, or choose another output");
    }
}

} // namespace neac::sign
