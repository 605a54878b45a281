#include "verify/verifier.hpp"

#include "neac/util/error.hpp"

namespace neac::verify::detail {

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
        static const std::regex number(R"(\d{9,13}(-\d{3})?)");
        ctx.expect_is_number = std::regex_match(e, number);
        if (!ctx.expect_is_number) {
            try {
                ctx.expect_regex = std::regex(e, std::regex::ECMAScript | std::regex::icase);
            } catch (const std::regex_error& err) {
                throw usage_error("--expect-signer: not a valid regular expression: " + e + " (" +
                                  err.what() + ")");
            }
        }
    }
    if (policy.revocation != "soft" && policy.revocation != "require" &&
        policy.revocation != "none")
        throw usage_error("--revocation takes soft, require or none");
    return ctx;
}

} // namespace neac::verify::detail
