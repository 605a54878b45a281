// The validation model: what `neac verify` found about each signature and each file. Plain values,
// returned (never thrown) and serialised one-to-one into JSON (schema in man/neac-verify.1).
//
// Each signature carries independent findings (intact, valid, trusted, coverage, DocMDP, changes
// after signing, revocation, timestamp) and an indication derived from them under a Policy,
// following ETSI EN 319 102-1: PASSED, INDETERMINATE or FAILED with a sub-indication.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neac::verify {

enum class Indication { Passed, Indeterminate, Failed };
const char* indication_name(Indication i); // "PASSED", "INDETERMINATE", "FAILED"

// ETSI EN 319 102-1 sub-indications (the ones neac can reach). None goes with PASSED.
enum class SubIndication {
    None,
    FormatFailure,                 // structure: ByteRange, /Contents, CMS, forbidden changes
    HashFailure,                   // the signed bytes do not match the message digest
    SigCryptoFailure,              // the signature value does not verify
    Revoked,                       // the signer certificate was revoked before the signing time
    SigConstraintsFailure,         // a policy constraint failed (expected signer, timestamp, ...)
    ChainConstraintsFailure,       // the chain exists but breaks a constraint (key usage, CA)
    CryptoConstraintsFailureNoPoe, // weak algorithm (SHA-1, MD5)
    NoCertificateChainFound,       // no path to a trust anchor
    NoSigningCertificateFound,     // the signer's certificate is not available
    OutOfBoundsNoPoe,              // a certificate was not valid at the best signing time
    TryLater,                      // revocation status unknown (policy requires it)
    RevokedNoPoe,                  // revoked after signing, with no proof of earlier existence
};
const char* sub_indication_name(SubIndication s); // "HASH_FAILURE", ... ("" for None)

// pyHanko's SignatureCoverageLevel.
enum class Coverage { Unclear, ContiguousBlockFromStart, EntireRevision, EntireFile };
const char* coverage_name(Coverage c); // "unclear", "contiguous_block_from_start", ...

// What a later revision changed, as the policy sees it.
enum class ChangeCategory {
    Signature,  // a new signature field, widget, signature dictionary; an empty field signed
    Dss,        // /DSS, /VRI and their streams (PAdES B-LT)
    Timestamp,  // a document timestamp (PAdES B-LTA)
    Annotation, // annotations added or changed (DocMDP P=3 or no DocMDP)
    Form,       // form field values filled (DocMDP P>=2; neac policy: --allow forms)
    Metadata,   // the trailer's /Info dictionary
    Forbidden,  // anything else: page content, resources, page tree, catalog, earlier signature
};
const char* change_category_name(ChangeCategory c);

struct Change {
    ChangeCategory category = ChangeCategory::Forbidden;
    std::string rule;        // the named rule that explains it ("signature-field-added", ...;
                             // the list is in man neac-verify)
    std::string object;      // "12 0 R" (or "trailer")
    std::string what;        // what the object is: "page 1 content stream", "signature Sig1"
    std::string description; // what changed: "/Reason replaced", "new signature field Sig2"
    int revision = 0;        // 1-based revision that made the change
    bool allowed = false;    // under DocMDP/FieldMDP and the policy
    bool warning = false;    // allowed, but reported as a warning
};

struct Timestamp {
    std::string kind;     // "signature" (CMS unsigned attribute) or "document" (/DocTimeStamp)
    std::string time;     // ISO 8601 UTC genTime
    std::string tsa;      // TSA certificate subject
    bool valid = false;   // token integrity, imprint, EKU
    bool trusted = false; // TSA chain reaches an anchor at genTime
    std::string problem;
};

// How the revocation status of one certificate on a path was established.
struct RevocationCheck {
    std::string certificate; // common name (or subject)
    std::string role;        // "signer", "CA", "TSA"
    std::string status;      // "good", "revoked", "unknown"
    std::string source;      // "OCSP (embedded)", "CRL (online)", ... ("" when unknown)
    std::string revoked_at;  // ISO 8601 UTC when revoked
};

struct CertificateInfo {
    std::string subject, common_name, issuer, serial, fingerprint_sha256;
    std::string not_before, not_after;          // ISO 8601 UTC
    std::string identity_kind, identity_number; // CCCD/CMND/MST
};

struct SignatureReport {
    int index = 0;          // 1-based, in file order
    std::string field;      // fully qualified field name
    std::string object;     // signature dictionary "N G R"
    std::string kind;       // "signature", "certification", "document_timestamp"
    std::string sub_filter; // "ETSI.CAdES.detached", ...
    int revision = 0;       // 1-based revision the signature signed
    std::vector<std::int64_t> byte_range;
    Coverage coverage = Coverage::Unclear;
    std::string claimed_time;    // /M as ISO 8601, "" when absent (only a claim)
    std::string timestamp_time;  // best proven signing time (timestamp), "" when none
    std::string validation_time; // the time the chain was checked at
    std::string digest_algorithm, signature_algorithm;
    // Lower-case hex of the digest over the /ByteRange with digest_algorithm ("" when the byte
    // ranges could not be hashed): what the signer's journal records as the document digest, so
    // that `history` can tell which journaled transaction made this signature.
    std::string document_digest;
    std::string reason, location, name; // /Reason, /Location, /Name
    int docmdp = 0; // certification level P of this signature (0 = approval signature)

    // Independent findings.
    bool byte_range_ok = false; // shape, gap = this /Contents, inside the file, no overlap
    bool intact = false;        // message digest matches the signed bytes
    bool valid = false;         // signature value and CMS attributes check out
    bool trusted = false;       // chain to an anchor at the validation time
    bool docmdp_ok = true;      // later changes permitted by DocMDP / FieldMDP
    bool changes_ok = true;     // later changes permitted by DocMDP and the policy
    std::string revocation;     // "good", "revoked", "unknown", "not_checked"
    std::string revocation_source;
    std::vector<RevocationCheck> revocation_checks; // each certificate of the signer's path
                                                    // but the anchor, then the TSA's
    // The PAdES baseline level the signature reaches (ETSI EN 319 142-1): "B-B" (a valid
    // CAdES signature), "B-T" (and a trusted proof of its time: a signature timestamp or a
    // later document timestamp), "B-LT" (and revocation data embedded in the file for every
    // certificate of the signer's and the signature timestamp's paths), "B-LTA" (and a trusted
    // document timestamp over that data). "" for document timestamps and broken signatures.
    std::string level;
    std::optional<CertificateInfo> signer;
    std::vector<CertificateInfo> chain; // signer first, up to the anchor when one was found
    std::vector<Timestamp> timestamps;
    std::vector<Change> changes; // changes after this signature's revision
    int signer_infos = 1;
    bool matches_expected_signer = false; // the signer matches Policy::expect_signer

    Indication indication = Indication::Indeterminate;
    SubIndication sub_indication = SubIndication::None;
    std::string reason_text;           // one line: why not PASSED
    std::vector<std::string> errors;   // what failed
    std::vector<std::string> warnings; // what held but deserves attention
};

// One revision of the file (for `history`): where it ends and what it changed.
struct RevisionInfo {
    int number = 0;                      // 1-based
    std::int64_t end = 0;                // offset just past its %%EOF (and EOL)
    std::string xref;                    // "table", "stream", "hybrid"
    std::vector<std::string> signatures; // fields whose signature ends this revision
    std::vector<Change> changes;         // compared with the previous revision
};

enum class FileStatus { Checked, BadInput };

struct VerifyReport {
    std::filesystem::path file;
    FileStatus status = FileStatus::Checked;
    std::string error; // when BadInput: what could not be read, and where
    std::int64_t size = 0;
    std::vector<SignatureReport> signatures; // signatures and document timestamps
    std::vector<std::string> empty_fields;   // unsigned signature fields
    std::vector<RevisionInfo> revisions;
    // The Document Security Store (PAdES B-LT validation data) as the file holds it.
    struct Dss {
        bool present = false;
        std::size_t certificates = 0, ocsp_responses = 0, crls = 0, vri = 0;
    } dss;
    int docmdp = 0; // the document's certification level (0 = not certified)
    Indication indication = Indication::Indeterminate;
    SubIndication sub_indication = SubIndication::None;
    std::string summary;               // the bottom line in words
    std::vector<std::string> problems; // file-level policy failures (min signatures, signer)
    std::vector<std::string> warnings;
    double seconds = 0; // time spent on this file
};

// What the caller requires. Defaults are the strict, offline CI policy.
struct Policy {
    std::vector<std::filesystem::path> trust;       // anchors: files or folders
    std::vector<std::filesystem::path> extra_certs; // intermediates for path building
    bool online = false;                            // fetch OCSP/CRL for the signer chain
    std::string ocsp_url;                           // responder override for --online
    std::string revocation = "soft"; // "soft": unknown is a warning; "require": INDETERMINATE;
                                     // "none": not checked
    bool require_trusted = false;    // untrusted chain: FAILED instead of INDETERMINATE
    bool require_timestamp = false;  // signature without a valid timestamp: FAILED
    std::string require_level;       // "B-T", "B-LT", "B-LTA": a signature below it FAILS
    std::string expect_signer;       // CCCD/CMND/MST number, or a regex over the subject
    int min_signatures = 1;          // fewer signatures (not counting doc timestamps): FAILED
    bool allow_annotations = false;  // annotation changes without a warning
    bool allow_forms = false;        // form filling after signing without a warning
    bool forbid_annotations = false; // annotation changes fail even where DocMDP permits them
    bool forbid_forms = false;       // form filling fails even where DocMDP permits it
    bool allow_weak_digest = false;  // SHA-1/MD5 accepted (with a warning)
    // Validation time; nullopt = now.
    std::optional<std::chrono::system_clock::time_point> at;
};

} // namespace neac::verify
