#include "verify/verifier.hpp"

#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

namespace neac::verify::detail {
namespace {

// A CCCD (12 digits), CMND (9) or tax number (10 or 13, or 10-3): an identity, not a pattern.
bool is_identity_number(const std::string& e) {
    std::size_t digits = 0;
    while (digits < e.size() && e[digits] >= '0' && e[digits] <= '9')
        ++digits;
    if (digits == e.size())
        return digits >= 9 && digits <= 13;
    if (digits < 9 || digits > 13 || e.size() != digits + 4 || e[digits] != '-')
        return false;
    return std::all_of(e.begin() + static_cast<std::ptrdiff_t>(digits) + 1, e.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Context make_context(const Policy& policy) {
    Context ctx;
    ctx.policy = policy;
    for (const auto& p : policy.trust) {
        auto certs = crypto::load_certificates(p);
        ctx.anchors.insert(ctx.anchors.end(), certs.begin(), certs.end());
    }
    for (const auto& p : policy.extra_certs) {
        auto certs = crypto::load_certificates(p);
        ctx.extra.insert(ctx.extra.end(), certs.begin(), certs.end());
    }
    const std::string& e = policy.expect_signer;
    if (!e.empty()) {
        ctx.expect_is_number = is_identity_number(e);
        if (!ctx.expect_is_number) {
            // RE2: matching time is linear in the text and the pattern is compiled without
            // recursion, so neither a huge certificate subject nor a pathological pattern can
            // overflow the stack or run for minutes.
            if (e.size() > limits::kSignerPatternLength)
                throw usage_error("--expect-signer: the pattern is longer than " +
                                  std::to_string(limits::kSignerPatternLength) + " characters");
            re2::RE2::Options options;
            options.set_case_sensitive(false);
            options.set_log_errors(false);
            options.set_max_mem(8 << 20);
            auto re = std::make_shared<const re2::RE2>(e, options);
            if (!re->ok())
                throw usage_error("--expect-signer: not a valid regular expression: " + e + " (" +
                                  re->error() + ")")
                    .hint("the syntax is RE2's (as in grep -E): e.g. 'NGUYỄN VĂN A|001099012345'");
            ctx.expect_regex = std::move(re);
        }
    }
    if (policy.revocation != "soft" && policy.revocation != "require" &&
        policy.revocation != "none")
        throw usage_error("--revocation takes soft, require or none");
    return ctx;
}

} // namespace neac::verify::detail
