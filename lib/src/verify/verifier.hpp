// The verifier of one file, private to lib/src/verify. One class, split by topic over several
// files the way QPDF splits QPDF_*.cc:
//   verify.cpp     reading the file: revisions, tolerant opening, fields, DSS; the file list
//   integrity.cpp  ByteRange, /Contents, the CMS and its signers, the streamed hash
//   changes.cpp    revision views, the diff of each later revision, DocMDP/FieldMDP, the policy
//   trust.cpp      best signing time, certificate path, revocation
//   verdict.cpp    the indication of each signature and of the file
//   context.cpp    what the caller's Policy turns into once for all files
//   names.cpp      the report's enum names and the small value conversions
#pragma once

#include "neac/crypto/chain.hpp"
#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/revocation.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/pdf/revisions.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/limits.hpp"
#include "neac/verify/verify.hpp"
#include "verify/diff.hpp"

#include <qpdf/QPDFExc.hh>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <re2/re2.h>
#include <string>
#include <vector>

namespace neac::verify::detail {

using Clock = std::chrono::system_clock;

// Limits that keep hostile files bounded (decoded bytes per stream and per file).
constexpr std::size_t kHashChunk = 1u << 20;

std::string iso_time(Clock::time_point t);
// PDF date (ISO 32000-1 §7.9.4) "D:YYYYMMDDHHmmSSOHH'mm'" as ISO 8601 UTC; "" when unreadable.
std::string pdf_date_iso(const std::string& s);
CertificateInfo cert_info(const crypto::Certificate& c);
std::string objref(QPDFObjGen og);

// Everything verify_files() prepares once for all files.
struct Context {
    Policy policy;
    std::vector<crypto::Certificate> anchors;
    std::vector<crypto::Certificate> extra;
    bool expect_is_number = false;
    std::shared_ptr<const re2::RE2> expect_regex; // case-insensitive; set unless a number
};

// Throws Error(Usage/BadInput) for a policy that cannot be applied.
Context make_context(const Policy& policy);

// Internal state of one signature while it is being checked.
struct SigWork {
    SignatureReport r;
    pdf::SigField field;
    QPDFObjGen og;
    std::vector<std::string> other_fields; // further fields whose /V is this same dictionary
    std::int64_t a = 0, b = 0, c = 0;      // ByteRange gap [a, b), second range [b, b + c)
    bool structure_ok = false;             // ByteRange and /Contents usable
    Bytes contents;                        // the gap, decoded
    std::optional<crypto::SignedData> cms;
    std::vector<crypto::SignerCheck> signers;
    std::optional<crypto::TimestampCheck> doc_ts; // for document timestamps
    std::optional<crypto::TimestampCheck> sig_ts; // signature timestamp token
    bool weak_digest = false;
    bool format_failure = false;
    bool hash_failure = false;
    bool crypto_failure = false;
    bool no_signer = false;
    int revision = 0; // index into revisions (1-based), 0 = unknown
    std::vector<std::string> locked;
    int lock_p = 0; // /Lock /P (PDF 2.0)
    Clock::time_point best_time{};
    bool time_proven = false;
    crypto::ChainResult chain;
    bool revocation_embedded = false; // every path certificate's status came from the file
    bool dss_after = false;           // a DSS update after the signature's revision
};

class FileVerifier {
public:
    FileVerifier(const std::filesystem::path& path, const Context& ctx) : ctx_(ctx) {
        report_.file = path;
    }
    VerifyReport run();

private:
    // verify.cpp
    static std::string describe_qpdf(const QPDFExc& e);
    void bad_input(const std::string& why);
    void check();
    void open_final();
    void note_pdf_warnings(const std::string& where, const std::vector<std::string>& lines);
    void trailing_bytes();
    void load_dss(QPDF& q);
    // integrity.cpp
    void fail_format(SigWork& w, const std::string& why);
    void integrity(SigWork& w);
    std::map<std::string, Bytes> hash_ranges(const SigWork& w,
                                             const std::vector<crypto::DigestSpec>& specs);
    std::vector<crypto::Certificate> pool() const;
    void cms(SigWork& w);
    void document_timestamp(SigWork& w, const std::vector<crypto::Certificate>& extra);
    void judge_signer(SigWork& w, const crypto::SignerCheck& s, bool token);
    void check_gaps();
    // changes.cpp
    pdf::RevisionView* view(int number);
    RoleMap& roles(int number);
    int permission_for(const SigWork& w) const;
    void classify(Change& c, int p, const std::string& field, const SigWork& w);
    void changes(SigWork& w);
    void revision_infos();
    // trust.cpp
    Clock::time_point now() const { return ctx_.policy.at ? *ctx_.policy.at : current_time(); }
    bool tsa_trusted(const crypto::TimestampCheck& ts) const;
    void timing(SigWork& w);
    void trust(SigWork& w);
    bool tsa_revocation_embedded(SigWork& w);
    void level(SigWork& w);
    // verdict.cpp
    void decide(SigWork& w);
    void bottom_line();

    const Context& ctx_;
    VerifyReport report_;
    std::shared_ptr<pdf::FileHandle> file_;
    std::vector<pdf::Revision> revisions_;
    pdf::RevisionView final_;
    std::map<int, std::unique_ptr<pdf::RevisionView>> views_;
    std::map<int, RoleMap> roles_;
    std::vector<SigWork> work_;
    std::vector<std::string> all_field_names_;
    std::vector<std::string> warnings_;
    std::vector<crypto::Certificate> dss_certs_;
    crypto::RevocationData dss_revocation_;
};

} // namespace neac::verify::detail
