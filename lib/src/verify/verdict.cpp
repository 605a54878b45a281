#include "verify/verifier.hpp"

namespace neac::verify::detail {

namespace {

int level_rank(const std::string& level) {
    for (int i = 0; const char* name : {"B-B", "B-T", "B-LT", "B-LTA"}) {
        ++i;
        if (level == name)
            return i;
    }
    return 0;
}

} // namespace

void FileVerifier::decide(SigWork& w) {
    SignatureReport& r = w.r;
    r.byte_range_ok = w.structure_ok && !(w.format_failure && r.coverage == Coverage::Unclear);
    r.valid = w.structure_ok && !w.crypto_failure && !w.format_failure && !w.hash_failure &&
              !w.no_signer && !w.signers.empty();
    auto set = [&](Indication i, SubIndication s, const std::string& why) {
        r.indication = i;
        r.sub_indication = s;
        r.reason_text = why;
    };
    auto first_error = [&]() { return r.errors.empty() ? std::string() : r.errors.front(); };
    const Policy& pol = ctx_.policy;
    bool has_ts = w.time_proven;

    if (!w.structure_ok || (w.format_failure && !w.hash_failure && !w.crypto_failure)) {
        set(Indication::Failed, SubIndication::FormatFailure, first_error());
    } else if (w.hash_failure || (!r.intact && !w.no_signer && !w.crypto_failure)) {
        set(Indication::Failed, SubIndication::HashFailure,
            "the signed bytes do not match the signature (the document was altered)");
    } else if (w.crypto_failure) {
        set(Indication::Failed, SubIndication::SigCryptoFailure,
            "the signature value does not verify");
    } else if (!r.changes_ok) {
        std::string why;
        for (const std::string& e : r.errors)
            if (e.rfind("changed after signing", 0) == 0)
                why = e;
        set(Indication::Failed, SubIndication::FormatFailure, why);
    } else if (w.no_signer) {
        // Not in the CMS, the DSS or --extra-certs: the signature value cannot be checked at all,
        // and a signature nobody can check is not one a CI job may wave through.
        set(Indication::Failed, SubIndication::NoSigningCertificateFound, first_error());
    } else if (r.revocation == "revoked") {
        set(Indication::Failed, SubIndication::Revoked, first_error());
    } else if (w.weak_digest && !pol.allow_weak_digest) {
        set(Indication::Indeterminate, SubIndication::CryptoConstraintsFailureNoPoe,
            "weak digest algorithm " + r.digest_algorithm +
                " (ETSI TS 119 312); --allow sha1 accepts it");
    } else if (w.chain.status == crypto::ChainStatus::NoAnchors ||
               w.chain.status == crypto::ChainStatus::NoPath) {
        set(pol.require_trusted ? Indication::Failed : Indication::Indeterminate,
            SubIndication::NoCertificateChainFound,
            w.chain.status == crypto::ChainStatus::NoAnchors
                ? "no trust anchor given (--trust): the signer cannot be trusted"
                : "no certificate path to a trust anchor: " + w.chain.detail);
    } else if (w.chain.status == crypto::ChainStatus::OutOfValidity) {
        set(pol.require_trusted ? Indication::Failed : Indication::Indeterminate,
            SubIndication::OutOfBoundsNoPoe,
            "a certificate was not valid at " + r.validation_time + ": " + w.chain.detail);
    } else if (w.chain.status == crypto::ChainStatus::Invalid) {
        set(pol.require_trusted ? Indication::Failed : Indication::Indeterminate,
            SubIndication::ChainConstraintsFailure, "certificate path invalid: " + w.chain.detail);
    } else if (!r.trusted) {
        set(pol.require_trusted ? Indication::Failed : Indication::Indeterminate,
            SubIndication::ChainConstraintsFailure, first_error());
    } else if (r.revocation == "unknown" && pol.revocation == "require") {
        set(Indication::Indeterminate, SubIndication::TryLater,
            "revocation status unknown (--revocation require)");
    } else if (pol.require_timestamp && !has_ts && r.kind != "document_timestamp") {
        set(Indication::Failed, SubIndication::SigConstraintsFailure,
            "no valid, trusted timestamp (--require-timestamp)");
    } else if (!pol.require_level.empty() && r.kind != "document_timestamp" &&
               level_rank(r.level) < level_rank(pol.require_level)) {
        set(Indication::Failed, SubIndication::SigConstraintsFailure,
            "the signature reaches " + (r.level.empty() ? std::string("no level") : r.level) +
                ", " + pol.require_level + " is required (--require-level)");
        r.errors.push_back(r.reason_text);
    } else {
        set(Indication::Passed, SubIndication::None, "");
    }
    if (w.weak_digest && pol.allow_weak_digest)
        r.warnings.push_back("weak digest algorithm " + r.digest_algorithm + " accepted");
    if (r.kind == "certification" && w.r.index != 1)
        r.warnings.push_back("a certification (DocMDP) signature should be the first "
                             "signature of the document");
    if (pol.require_timestamp && !has_ts && r.indication != Indication::Passed &&
        r.kind != "document_timestamp")
        r.errors.push_back("no valid, trusted timestamp (--require-timestamp)");
}

void FileVerifier::bottom_line() {
    VerifyReport& rep = report_;
    rep.warnings.insert(rep.warnings.begin(), warnings_.begin(), warnings_.end());
    int signatures = 0, passed = 0, failed = 0, indeterminate = 0;
    bool expected = false;
    for (std::size_t i = 0; i < rep.signatures.size(); ++i) {
        const SignatureReport& s = rep.signatures[i];
        if (s.kind != "document_timestamp")
            ++signatures;
        if (s.indication == Indication::Passed)
            ++passed;
        else if (s.indication == Indication::Failed)
            ++failed;
        else
            ++indeterminate;
    }
    for (const SignatureReport& s : rep.signatures)
        if (s.matches_expected_signer && s.indication != Indication::Failed)
            expected = true;
    const Policy& pol = ctx_.policy;
    // Only document timestamps: nothing is broken, but nobody is shown to have signed, which is
    // established neither way (INDETERMINATE: still no exit 0 for a CI gate).
    bool timestamps_only =
        signatures == 0 && !rep.signatures.empty() && failed == 0 && pol.min_signatures > 0;
    if (timestamps_only)
        rep.warnings.push_back("the file has document timestamps but no signature "
                               "(--min-signatures 0 accepts that)");
    else if (signatures < pol.min_signatures)
        rep.problems.push_back(signatures == 0
                                   ? "the file has no signature"
                                   : "the file has " + std::to_string(signatures) +
                                         " signature(s), " + std::to_string(pol.min_signatures) +
                                         " required (--min-signatures)");
    if (!pol.expect_signer.empty() && !expected)
        rep.problems.push_back("no valid signature by the expected signer " + pol.expect_signer +
                               " (--expect-signer)");
    if (failed > 0 || !rep.problems.empty()) {
        rep.indication = Indication::Failed;
        rep.sub_indication =
            failed > 0 ? SubIndication::None : SubIndication::SigConstraintsFailure;
    } else if (indeterminate > 0 || timestamps_only) {
        rep.indication = Indication::Indeterminate;
    } else {
        rep.indication = Indication::Passed;
    }
    std::string s;
    if (rep.signatures.empty())
        s = "no signatures";
    else
        s = std::to_string(rep.signatures.size()) + " signature(s): " + std::to_string(passed) +
            " passed, " + std::to_string(failed) + " failed, " + std::to_string(indeterminate) +
            " indeterminate";
    for (const std::string& p : rep.problems)
        s += "; " + p;
    rep.summary = s;
}

} // namespace neac::verify::detail
