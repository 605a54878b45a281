#include "verify/verifier.hpp"

#include <algorithm>

namespace neac::verify::detail {

bool FileVerifier::tsa_trusted(const crypto::TimestampCheck& ts) const {
    if (!ts.valid() || ts.signer.signer.empty())
        return false;
    std::vector<crypto::Certificate> untrusted = ts.certificates;
    auto p = pool();
    untrusted.insert(untrusted.end(), p.begin(), p.end());
    auto res = crypto::validate_chain(ts.signer.signer, untrusted, ctx_.anchors, ts.gen_time);
    return res.status == crypto::ChainStatus::Valid;
}

void FileVerifier::timing(SigWork& w) {
    w.best_time = now();
    if (w.sig_ts && w.sig_ts->valid() && tsa_trusted(*w.sig_ts)) {
        w.best_time = w.sig_ts->gen_time;
        w.time_proven = true;
        for (Timestamp& t : w.r.timestamps)
            if (t.kind == "signature")
                t.trusted = true;
    } else if (w.sig_ts && w.sig_ts->valid()) {
        w.r.warnings.push_back("the signature timestamp's TSA is not trusted: its time is not "
                               "used");
    }
    if (w.doc_ts && w.doc_ts->valid() && tsa_trusted(*w.doc_ts)) {
        w.best_time = w.doc_ts->gen_time;
        w.time_proven = true;
        for (Timestamp& t : w.r.timestamps)
            t.trusted = true;
    }
    // A later document timestamp proves the signature existed at its time (PAdES B-LTA).
    if (!w.time_proven && w.r.kind != "document_timestamp") {
        for (const SigWork& o : work_) {
            if (o.r.kind != "document_timestamp" || !o.doc_ts || !o.doc_ts->valid() ||
                o.revision < w.revision || !o.r.changes_ok)
                continue;
            if (tsa_trusted(*o.doc_ts)) {
                if (!w.time_proven || o.doc_ts->gen_time < w.best_time)
                    w.best_time = o.doc_ts->gen_time;
                w.time_proven = true;
                Timestamp t;
                t.kind = "document";
                t.time = iso_time(o.doc_ts->gen_time);
                t.tsa = o.doc_ts->signer.signer.empty() ? "" : o.doc_ts->signer.signer.subject();
                t.valid = t.trusted = true;
                w.r.timestamps.push_back(t);
            }
        }
    }
    if (w.time_proven && w.r.kind != "document_timestamp")
        w.r.timestamp_time = iso_time(w.best_time);
    w.r.validation_time = iso_time(w.best_time);
}

void FileVerifier::trust(SigWork& w) {
    SignatureReport& r = w.r;
    if (w.signers.empty() || w.signers.front().signer.empty()) {
        r.revocation = "not_checked";
        return;
    }
    const crypto::Certificate& leaf = w.signers.front().signer;
    std::vector<crypto::Certificate> untrusted =
        w.cms ? w.cms->certificates() : std::vector<crypto::Certificate>{};
    if (w.doc_ts)
        untrusted.insert(untrusted.end(), w.doc_ts->certificates.begin(),
                         w.doc_ts->certificates.end());
    auto p = pool();
    untrusted.insert(untrusted.end(), p.begin(), p.end());
    w.chain = crypto::validate_chain(leaf, untrusted, ctx_.anchors, w.best_time);
    r.trusted = w.chain.status == crypto::ChainStatus::Valid;
    for (const auto& c : w.chain.path)
        r.chain.push_back(cert_info(c));
    if (r.chain.empty())
        r.chain.push_back(cert_info(leaf));
    if (r.kind != "document_timestamp" && !crypto::allows_document_signing(leaf)) {
        r.trusted = false;
        r.errors.push_back("the signer certificate's key usage allows neither "
                           "digitalSignature nor nonRepudiation");
    }

    // Expected signer.
    if (!ctx_.policy.expect_signer.empty() && r.kind != "document_timestamp") {
        crypto::Identity id = leaf.identity();
        if (ctx_.expect_is_number)
            r.matches_expected_signer = id.number == ctx_.policy.expect_signer;
        else
            r.matches_expected_signer =
                re2::RE2::PartialMatch(leaf.subject(), *ctx_.expect_regex) ||
                re2::RE2::PartialMatch(leaf.common_name(), *ctx_.expect_regex);
    }

    // Revocation of every certificate on the path but the anchor.
    r.revocation = "not_checked";
    if (ctx_.policy.revocation == "none" || (w.chain.status != crypto::ChainStatus::Valid &&
                                             w.chain.status != crypto::ChainStatus::OutOfValidity))
        return;
    crypto::RevocationData data = dss_revocation_;
    for (const auto& s : w.signers) {
        data.ocsp_responses.insert(data.ocsp_responses.end(), s.archived_ocsp.begin(),
                                   s.archived_ocsp.end());
        data.crls.insert(data.crls.end(), s.archived_crls.begin(), s.archived_crls.end());
    }
    if (w.cms)
        data.crls.insert(data.crls.end(), w.cms->crls().begin(), w.cms->crls().end());
    std::string overall = "good";
    std::string sources;
    w.revocation_embedded = w.chain.path.size() > 1;
    for (std::size_t i = 0; i + 1 < w.chain.path.size(); ++i) {
        const crypto::Certificate& cert = w.chain.path[i];
        const crypto::Certificate& issuer = w.chain.path[i + 1];
        crypto::RevocationResult res = crypto::check_revocation(
            cert, issuer, data, ctx_.anchors, untrusted, w.best_time, " (embedded)");
        if (res.status == crypto::RevocationStatus::Unknown && ctx_.policy.online) {
            std::vector<std::string> errors;
            crypto::OnlineOptions opts;
            opts.ocsp_url = ctx_.policy.ocsp_url;
            crypto::RevocationData fetched = crypto::fetch_revocation(cert, issuer, opts, errors);
            // An on-line answer is about now: judge it at the validation time if the
            // certificate is revoked, otherwise "good now" also covers the past.
            res = crypto::check_revocation(cert, issuer, fetched, ctx_.anchors, untrusted,
                                           w.best_time, " (online)");
            if (res.status == crypto::RevocationStatus::Unknown && !errors.empty())
                res.detail = errors.front();
        }
        std::string who = i == 0 ? "signer" : "CA " + cert.common_name();
        bool embedded = res.source.find("(embedded)") != std::string::npos;
        if (res.status == crypto::RevocationStatus::Unknown || !embedded)
            w.revocation_embedded = false;
        r.revocation_checks.push_back(
            {cert.common_name().empty() ? cert.subject() : cert.common_name(),
             i == 0 ? "signer" : "CA", crypto::revocation_status_name(res.status), res.source,
             res.revoked_at ? iso_time(*res.revoked_at) : ""});
        if (res.status == crypto::RevocationStatus::Revoked) {
            bool before = !res.revoked_at || *res.revoked_at <= w.best_time;
            if (before || !w.time_proven) {
                overall = "revoked";
                r.errors.push_back("the " + who + " certificate was revoked" +
                                   (res.revoked_at ? " on " + iso_time(*res.revoked_at) : "") +
                                   (res.reason.empty() ? "" : " (" + res.reason + ")") +
                                   ", source: " + res.source);
            } else {
                r.warnings.push_back("the " + who + " certificate was revoked on " +
                                     iso_time(*res.revoked_at) + ", after the proven signing time");
            }
        } else if (res.status == crypto::RevocationStatus::Unknown) {
            if (overall == "good" && i == 0)
                overall = "unknown";
            std::string msg =
                "revocation status of the " + who + " certificate unknown: " + res.detail;
            // "require" is about the signer: a CA's own responder is often unreachable or
            // unauthorised for its issuer's certificates, which stays a warning.
            if (ctx_.policy.revocation == "require" && i == 0)
                r.errors.push_back(msg);
            else
                r.warnings.push_back(msg + (ctx_.policy.online ? "" : " (use --online)"));
        }
        if (!res.source.empty() && sources.find(res.source) == std::string::npos)
            sources += (sources.empty() ? "" : ", ") + res.source;
    }
    r.revocation = overall;
    r.revocation_source = sources;
}

// Whether the file holds, for every certificate of the signature timestamp's TSA path but the
// anchor, revocation data that establishes its status (B-LT covers the timestamp too).
bool FileVerifier::tsa_revocation_embedded(SigWork& w) {
    if (!w.sig_ts || !w.sig_ts->valid() || w.sig_ts->signer.signer.empty())
        return true; // no signature timestamp: nothing to cover
    std::vector<crypto::Certificate> untrusted = w.sig_ts->certificates;
    auto p = pool();
    untrusted.insert(untrusted.end(), p.begin(), p.end());
    crypto::ChainResult path = crypto::validate_chain(w.sig_ts->signer.signer, untrusted,
                                                      ctx_.anchors, w.sig_ts->gen_time);
    if (path.status != crypto::ChainStatus::Valid)
        return false;
    crypto::RevocationData data = dss_revocation_;
    for (const auto& s : w.signers) {
        data.ocsp_responses.insert(data.ocsp_responses.end(), s.archived_ocsp.begin(),
                                   s.archived_ocsp.end());
        data.crls.insert(data.crls.end(), s.archived_crls.begin(), s.archived_crls.end());
    }
    bool complete = true;
    for (std::size_t i = 0; i + 1 < path.path.size(); ++i) {
        crypto::RevocationResult res =
            crypto::check_revocation(path.path[i], path.path[i + 1], data, ctx_.anchors, untrusted,
                                     w.sig_ts->gen_time, " (embedded)");
        const crypto::Certificate& cert = path.path[i];
        w.r.revocation_checks.push_back(
            {cert.common_name().empty() ? cert.subject() : cert.common_name(),
             i == 0 ? "TSA" : "CA", crypto::revocation_status_name(res.status), res.source,
             res.revoked_at ? iso_time(*res.revoked_at) : ""});
        if (res.status != crypto::RevocationStatus::Good)
            complete = false;
    }
    return complete;
}

// ETSI EN 319 142-1 baseline levels, each on top of the one before: B-B a valid signature, B-T
// a trusted proof of its time, B-LT the validation data of its paths in the file, B-LTA a
// trusted document timestamp after that data.
void FileVerifier::level(SigWork& w) {
    SignatureReport& r = w.r;
    if (r.kind == "document_timestamp" || !r.intact || !w.structure_ok || w.crypto_failure ||
        w.hash_failure || w.format_failure || w.no_signer || w.signers.empty())
        return;
    r.level = "B-B";
    if (!w.time_proven)
        return;
    r.level = "B-T";
    if (!w.revocation_embedded || r.revocation != "good" || !tsa_revocation_embedded(w))
        return;
    r.level = "B-LT";
    // The data must predate a trusted document timestamp: the first DSS update after the
    // signature (or the signature's own revision, for data archived inside the CMS).
    int data_revision = w.revision;
    for (const RevisionInfo& rev : report_.revisions) {
        if (rev.number <= w.revision)
            continue;
        bool dss = std::any_of(rev.changes.begin(), rev.changes.end(),
                               [](const Change& c) { return c.category == ChangeCategory::Dss; });
        if (dss) {
            data_revision = rev.number;
            break;
        }
    }
    for (const SigWork& o : work_)
        if (o.r.kind == "document_timestamp" && o.doc_ts && o.doc_ts->valid() &&
            o.revision > data_revision && o.r.changes_ok && tsa_trusted(*o.doc_ts)) {
            r.level = "B-LTA";
            return;
        }
}

} // namespace neac::verify::detail
