#include "neac/verify/verify.hpp"
#include "neac/util/clock.hpp"

#include "neac/crypto/chain.hpp"
#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/revocation.hpp"
#include "neac/util/bytes.hpp"
#include "neac/util/error.hpp"
#include "verify/diff.hpp"
#include "verify/fields.hpp"
#include "verify/file_source.hpp"
#include "verify/revisions.hpp"
#include "verify/stream_guard.hpp"

#include <qpdf/QPDFExc.hh>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace neac::verify {

const char* indication_name(Indication i) {
    switch (i) {
    case Indication::Passed:
        return "PASSED";
    case Indication::Indeterminate:
        return "INDETERMINATE";
    case Indication::Failed:
        return "FAILED";
    }
    return "INDETERMINATE";
}

const char* sub_indication_name(SubIndication s) {
    switch (s) {
    case SubIndication::None:
        return "";
    case SubIndication::FormatFailure:
        return "FORMAT_FAILURE";
    case SubIndication::HashFailure:
        return "HASH_FAILURE";
    case SubIndication::SigCryptoFailure:
        return "SIG_CRYPTO_FAILURE";
    case SubIndication::Revoked:
        return "REVOKED";
    case SubIndication::SigConstraintsFailure:
        return "SIG_CONSTRAINTS_FAILURE";
    case SubIndication::ChainConstraintsFailure:
        return "CHAIN_CONSTRAINTS_FAILURE";
    case SubIndication::CryptoConstraintsFailureNoPoe:
        return "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
    case SubIndication::NoCertificateChainFound:
        return "NO_CERTIFICATE_CHAIN_FOUND";
    case SubIndication::NoSigningCertificateFound:
        return "NO_SIGNING_CERTIFICATE_FOUND";
    case SubIndication::OutOfBoundsNoPoe:
        return "OUT_OF_BOUNDS_NO_POE";
    case SubIndication::TryLater:
        return "TRY_LATER";
    case SubIndication::RevokedNoPoe:
        return "REVOKED_NO_POE";
    }
    return "";
}

const char* coverage_name(Coverage c) {
    switch (c) {
    case Coverage::Unclear:
        return "unclear";
    case Coverage::ContiguousBlockFromStart:
        return "contiguous_block_from_start";
    case Coverage::EntireRevision:
        return "entire_revision";
    case Coverage::EntireFile:
        return "entire_file";
    }
    return "unclear";
}

const char* change_category_name(ChangeCategory c) {
    switch (c) {
    case ChangeCategory::Signature:
        return "signature";
    case ChangeCategory::Dss:
        return "dss";
    case ChangeCategory::Timestamp:
        return "timestamp";
    case ChangeCategory::Annotation:
        return "annotation";
    case ChangeCategory::Form:
        return "form";
    case ChangeCategory::Metadata:
        return "metadata";
    case ChangeCategory::Forbidden:
        return "forbidden";
    }
    return "forbidden";
}

namespace {

using Clock = std::chrono::system_clock;
using detail::FileHandle;
using detail::RevisionView;

// Limits that keep hostile files bounded (decoded bytes per stream and per file).
constexpr std::uint64_t kStreamDecodeLimit = 48ull << 20;
constexpr std::uint64_t kFileDecodeLimit = 256ull << 20;
constexpr std::size_t kMaxContentsBytes = 16u << 20;
constexpr std::size_t kHashChunk = 1u << 20;

std::string iso_time(Clock::time_point t) {
    return utc_text(t);
}

// PDF date (ISO 32000-1 §7.9.4) "D:YYYYMMDDHHmmSSOHH'mm'" as ISO 8601 UTC; "" when unreadable.
std::string pdf_date_iso(const std::string& s) {
    std::string d = s.rfind("D:", 0) == 0 ? s.substr(2) : s;
    int f[6] = {0, 1, 1, 0, 0, 0};
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) {
        if (pos + widths[i] > d.size() ||
            !std::all_of(d.begin() + static_cast<long>(pos),
                         d.begin() + static_cast<long>(pos + widths[i]),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            if (i == 0)
                return "";
            break;
        }
        f[i] = std::stoi(d.substr(pos, static_cast<std::size_t>(widths[i])));
        pos += static_cast<std::size_t>(widths[i]);
    }
    long offset = 0;
    if (pos < d.size() && (d[pos] == '+' || d[pos] == '-')) {
        int sign = d[pos] == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        std::sscanf(d.c_str() + pos + 1, "%2d'%2d", &hh, &mm);
        offset = sign * (hh * 3600L + mm * 60L);
    }
    std::tm tm{};
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    std::time_t t = timegm(&tm) - offset;
    return iso_time(Clock::from_time_t(t));
}

CertificateInfo cert_info(const crypto::Certificate& c) {
    CertificateInfo i;
    i.subject = c.subject();
    i.common_name = c.common_name();
    i.issuer = c.issuer();
    i.serial = c.serial_hex();
    i.fingerprint_sha256 = c.fingerprint_sha256();
    i.not_before = crypto::validity_iso(c, false);
    i.not_after = crypto::validity_iso(c, true);
    crypto::Identity id = c.identity();
    i.identity_kind = id.kind;
    i.identity_number = id.number;
    return i;
}

std::string objref(QPDFObjGen og) {
    return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

// Everything verify_files() prepares once for all files.
struct Context {
    Policy policy;
    std::vector<crypto::Certificate> anchors;
    std::vector<crypto::Certificate> extra;
    bool expect_is_number = false;
    std::regex expect_regex;
};

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

// Internal state of one signature while it is being checked.
struct SigWork {
    SignatureReport r;
    detail::SigField field;
    QPDFObjGen og;
    std::int64_t a = 0, b = 0, c = 0; // ByteRange gap [a, b), second range [b, b + c)
    bool structure_ok = false;        // ByteRange and /Contents usable
    Bytes contents;                   // the gap, decoded
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
    bool chain_checked = false;
};

class FileVerifier {
public:
    FileVerifier(const std::filesystem::path& path, const Context& ctx) : ctx_(ctx) {
        report_.file = path;
    }

    VerifyReport run() {
        auto start = std::chrono::steady_clock::now();
        detail::install_stream_filters();
        detail::DecodeGuard guard(kStreamDecodeLimit, kFileDecodeLimit);
        try {
            check();
        } catch (const Error& e) {
            bad_input(e.describe());
        } catch (const QPDFExc& e) {
            bad_input(guard.tripped() ? guard.reason() : describe_qpdf(e));
        } catch (const std::bad_alloc&) {
            bad_input("out of memory while reading the file");
        } catch (const std::exception& e) {
            bad_input(guard.tripped() ? guard.reason()
                                      : std::string("cannot read PDF: ") + e.what());
        }
        if (report_.status == FileStatus::BadInput && guard.tripped() &&
            report_.error.find(guard.reason()) == std::string::npos)
            report_.error = guard.reason() + " (" + report_.error + ")";
        report_.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return std::move(report_);
    }

private:
    static std::string describe_qpdf(const QPDFExc& e) {
        std::string msg = e.getMessageDetail();
        if (e.getFilePosition() > 0)
            msg += " (offset " + std::to_string(e.getFilePosition()) + ")";
        if (!e.getObject().empty())
            msg += " (" + e.getObject() + ")";
        return "damaged PDF: " + msg;
    }

    void bad_input(const std::string& why) {
        report_.status = FileStatus::BadInput;
        report_.error = why;
        report_.indication = Indication::Indeterminate;
        report_.summary = "unreadable: " + why;
    }

    void check() {
        file_ = std::make_shared<FileHandle>(report_.file);
        report_.size = static_cast<std::int64_t>(file_->size());
        if (file_->read_string(0, 1024).find("%PDF-") == std::string::npos)
            throw input_error("not a PDF file (no %PDF- header)");
        std::string rev_problem;
        revisions_ = detail::find_revisions(*file_, rev_problem);
        if (!rev_problem.empty())
            warnings_.push_back("revision structure: " + rev_problem);

        // The whole file, as a viewer sees it.
        final_.info.number = static_cast<int>(revisions_.size()) + 1;
        final_.info.end = file_->size();
        try {
            final_.qpdf = detail::open_revision(file_, file_->size());
        } catch (const QPDFExc& e) {
            std::string d = e.getMessageDetail();
            if (e.getErrorCode() == qpdf_e_password || d.find("ncrypt") != std::string::npos)
                throw input_error("encrypted PDFs are not supported");
            throw;
        }
        QPDF& q = *final_.qpdf;
        if (q.isEncrypted())
            throw input_error("encrypted PDFs are not supported");
        final_.xref = q.getXRefTable();
        if (!revisions_.empty())
            final_.info = revisions_.back();
        if (final_.info.end != file_->size()) {
            final_.info.number = static_cast<int>(revisions_.size()) + 1;
            final_.info.end = file_->size();
        }

        detail::FieldScan scan = detail::scan_fields(q);
        report_.empty_fields = scan.empty;
        all_field_names_ = all_fields(q);
        report_.docmdp = docmdp_level(q);
        load_dss(q);
        if (q.anyWarnings())
            throw input_error("damaged PDF: " + first_warning(q));

        for (const auto& f : scan.signatures) {
            SigWork w;
            w.field = f;
            w.r.index = static_cast<int>(work_.size()) + 1;
            w.r.field = f.name;
            work_.push_back(std::move(w));
        }
        for (SigWork& w : work_)
            integrity(w);
        check_gaps();
        std::sort(work_.begin(), work_.end(), [](const SigWork& x, const SigWork& y) {
            return x.b + x.c < y.b + y.c || (x.b + x.c == y.b + y.c && x.r.index < y.r.index);
        });
        for (std::size_t i = 0; i < work_.size(); ++i)
            work_[i].r.index = static_cast<int>(i) + 1;
        for (SigWork& w : work_)
            changes(w);
        revision_infos();
        for (SigWork& w : work_)
            timing(w);
        for (SigWork& w : work_)
            trust(w);
        for (SigWork& w : work_) {
            decide(w);
            report_.signatures.push_back(std::move(w.r));
        }
        if (q.anyWarnings())
            throw input_error("damaged PDF: " + first_warning(q));
        if (!revisions_.empty() && revisions_.back().end < file_->size())
            warnings_.push_back(std::to_string(file_->size() - revisions_.back().end) +
                                " bytes after the last revision belong to no revision and are "
                                "signed by nobody");
        bottom_line();
    }

    static std::string first_warning(QPDF& q) {
        auto ws = q.getWarnings();
        if (ws.empty())
            return "QPDF reported a problem";
        std::string msg = ws.front().getMessageDetail();
        if (ws.front().getFilePosition() > 0)
            msg += " (offset " + std::to_string(ws.front().getFilePosition()) + ")";
        return msg;
    }

    static std::vector<std::string> all_fields(QPDF& q) {
        std::vector<std::string> out;
        std::set<QPDFObjGen> seen;
        std::function<void(QPDFObjectHandle, const std::string&, int)> walk =
            [&](QPDFObjectHandle arr, const std::string& prefix, int depth) {
                if (!arr.isArray() || depth > 32)
                    return;
                for (QPDFObjectHandle f : arr.aitems()) {
                    if (!f.isDictionary() || (f.isIndirect() && !seen.insert(f.getObjGen()).second))
                        continue;
                    std::string name = prefix;
                    if (f.getKey("/T").isString()) {
                        name = prefix.empty() ? f.getKey("/T").getUTF8Value()
                                              : prefix + "." + f.getKey("/T").getUTF8Value();
                        out.push_back(name);
                    }
                    walk(f.getKey("/Kids"), name, depth + 1);
                }
            };
        QPDFObjectHandle form = q.getRoot().getKey("/AcroForm");
        if (form.isDictionary())
            walk(form.getKey("/Fields"), "", 0);
        return out;
    }

    static int docmdp_of(QPDFObjectHandle sig) {
        QPDFObjectHandle refs = sig.getKey("/Reference");
        if (!refs.isArray())
            return 0;
        for (QPDFObjectHandle r : refs.aitems()) {
            if (!r.isDictionary() || !r.getKey("/TransformMethod").isName() ||
                r.getKey("/TransformMethod").getName() != "/DocMDP")
                continue;
            QPDFObjectHandle p = r.getKey("/TransformParams").getKey("/P");
            if (p.isInteger() && p.getIntValue() >= 1 && p.getIntValue() <= 3)
                return static_cast<int>(p.getIntValue());
            return 2; // ISO 32000-1 Table 254: default 2
        }
        return 0;
    }

    int docmdp_level(QPDF& q) {
        QPDFObjectHandle perms = q.getRoot().getKey("/Perms");
        if (!perms.isDictionary())
            return 0;
        QPDFObjectHandle sig = perms.getKey("/DocMDP");
        if (!sig.isDictionary())
            return 0;
        if (sig.isIndirect())
            certification_og_ = sig.getObjGen();
        int p = docmdp_of(sig);
        return p == 0 ? 2 : p;
    }

    void load_dss(QPDF& q) {
        QPDFObjectHandle dss = q.getRoot().getKey("/DSS");
        if (!dss.isDictionary())
            return;
        auto streams = [&](const char* key, std::vector<Bytes>& out) {
            QPDFObjectHandle arr = dss.getKey(key);
            if (!arr.isArray())
                return;
            for (QPDFObjectHandle s : arr.aitems()) {
                if (!s.isStream() || out.size() > 10000)
                    continue;
                try {
                    auto data = s.getStreamData(qpdf_dl_generalized);
                    out.emplace_back(data->getBuffer(), data->getBuffer() + data->getSize());
                } catch (const std::exception& e) {
                    warnings_.push_back(std::string("unreadable DSS stream: ") + e.what());
                }
            }
        };
        std::vector<Bytes> certs;
        streams("/Certs", certs);
        streams("/OCSPs", dss_revocation_.ocsp_responses);
        streams("/CRLs", dss_revocation_.crls);
        for (const Bytes& c : certs) {
            try {
                dss_certs_.push_back(crypto::Certificate::from_der(c));
            } catch (const Error&) {
                warnings_.push_back("malformed certificate in the DSS (ignored)");
            }
        }
    }

    // --- integrity ---------------------------------------------------------------------------

    void fail_format(SigWork& w, const std::string& why) {
        w.format_failure = true;
        w.r.errors.push_back(why);
    }

    void integrity(SigWork& w) {
        QPDFObjectHandle v = w.field.value;
        SignatureReport& r = w.r;
        r.kind = "signature";
        if (v.getKey("/Type").isName() && v.getKey("/Type").getName() == "/DocTimeStamp")
            r.kind = "document_timestamp";
        r.sub_filter =
            v.getKey("/SubFilter").isName() ? v.getKey("/SubFilter").getName().substr(1) : "";
        if (r.kind == "document_timestamp" && r.sub_filter != "ETSI.RFC3161")
            fail_format(w, "a document timestamp must have /SubFilter /ETSI.RFC3161");
        if (r.sub_filter == "ETSI.RFC3161" && r.kind != "document_timestamp") {
            r.kind = "document_timestamp";
            r.warnings.push_back("/SubFilter /ETSI.RFC3161 without /Type /DocTimeStamp");
        }
        r.docmdp = docmdp_of(v);
        if (r.docmdp > 0)
            r.kind = "certification";
        auto text = [&](const char* key) {
            QPDFObjectHandle h = v.getKey(key);
            return h.isString() ? h.getUTF8Value() : std::string();
        };
        r.reason = text("/Reason");
        r.location = text("/Location");
        r.name = text("/Name");
        r.claimed_time = pdf_date_iso(text("/M"));
        if (w.field.lock.isDictionary()) {
            w.locked = detail::locked_fields(w.field.lock, all_field_names_);
            QPDFObjectHandle p = w.field.lock.getKey("/P");
            if (p.isInteger() && p.getIntValue() >= 1 && p.getIntValue() <= 3)
                w.lock_p = static_cast<int>(p.getIntValue());
        }
        if (QPDFObjectHandle refs = v.getKey("/Reference"); refs.isArray())
            for (QPDFObjectHandle ref : refs.aitems())
                if (ref.isDictionary() && ref.getKey("/TransformMethod").isName() &&
                    ref.getKey("/TransformMethod").getName() == "/FieldMDP") {
                    auto more =
                        detail::locked_fields(ref.getKey("/TransformParams"), all_field_names_);
                    w.locked.insert(w.locked.end(), more.begin(), more.end());
                }

        if (!v.isIndirect()) {
            fail_format(w, "the signature dictionary is not an indirect object");
            return;
        }
        w.og = v.getObjGen();
        r.object = objref(w.og);

        // ByteRange: exactly [0 a b c], direct, non-negative, inside the file.
        QPDFObjectHandle br = v.getKey("/ByteRange");
        if (br.isNull() || !br.isArray()) {
            fail_format(w, "/ByteRange is missing: nothing is signed (universal signature "
                           "forgery defence)");
            return;
        }
        if (br.isIndirect())
            fail_format(w, "/ByteRange is an indirect object");
        std::vector<std::int64_t> vals;
        for (QPDFObjectHandle x : br.aitems()) {
            if (!x.isInteger()) {
                fail_format(w, "/ByteRange holds a non-integer");
                return;
            }
            vals.push_back(x.getIntValue());
        }
        r.byte_range = vals;
        if (vals.size() != 4) {
            fail_format(w, "/ByteRange must have exactly 4 integers, it has " +
                               std::to_string(vals.size()));
            return;
        }
        std::int64_t size = static_cast<std::int64_t>(file_->size());
        if (vals[0] != 0 || vals[1] <= 0 || vals[2] < 0 || vals[3] < 0) {
            fail_format(w, "/ByteRange must be [0 a b c] with non-negative values and a > 0");
            return;
        }
        w.a = vals[1];
        w.b = vals[2];
        w.c = vals[3];
        if (w.b <= w.a + 1) {
            fail_format(w, "/ByteRange leaves no room for /Contents between the two ranges");
            return;
        }
        if (w.b > size || w.c > size - w.b) {
            fail_format(w, "/ByteRange extends past the end of the file (" + std::to_string(size) +
                               " bytes)");
            return;
        }

        // /Contents: a direct, non-empty string...
        QPDFObjectHandle contents = v.getKey("/Contents");
        if (contents.isNull() || !contents.isString()) {
            fail_format(w, "/Contents is missing or not a string: nothing to verify (universal "
                           "signature forgery defence)");
            return;
        }
        if (contents.isIndirect()) {
            fail_format(w, "/Contents is an indirect object, not the bytes between the ranges "
                           "(signature wrapping)");
            return;
        }
        std::string value = contents.getStringValue();
        if (value.empty() ||
            std::all_of(value.begin(), value.end(), [](char ch) { return ch == 0; })) {
            fail_format(w, "/Contents is empty (universal signature forgery defence)");
            return;
        }
        // ...which is exactly the hex string in the gap of this signature dictionary.
        std::size_t gap = static_cast<std::size_t>(w.b - w.a);
        if (gap > 2 * kMaxContentsBytes + 2) {
            fail_format(w, "the /ByteRange gap is implausibly large (" + std::to_string(gap) +
                               " bytes)");
            return;
        }
        std::string raw = file_->read_string(static_cast<std::uint64_t>(w.a), gap);
        bool hex = raw.size() == gap && raw.front() == '<' && raw.back() == '>';
        for (std::size_t i = 1; hex && i + 1 < raw.size(); ++i)
            hex = std::isxdigit(static_cast<unsigned char>(raw[i])) != 0;
        if (!hex) {
            fail_format(w, "the bytes between the ranges (offset " + std::to_string(w.a) + " to " +
                               std::to_string(w.b) + ") are not a hex string");
            return;
        }
        if ((raw.size() - 2) % 2 != 0) {
            fail_format(w, "the /Contents hex string has an odd number of digits");
            return;
        }
        Bytes decoded = hex_decode(std::string_view(raw).substr(1, raw.size() - 2));
        if (to_string(decoded) != value) {
            fail_format(w, "the bytes between the ranges are not this signature's /Contents "
                           "(signature wrapping)");
            return;
        }
        std::int64_t end = w.b + w.c;
        for (std::size_t i = 0; i < revisions_.size(); ++i)
            if (static_cast<std::int64_t>(revisions_[i].end) == end ||
                static_cast<std::int64_t>(revisions_[i].marker_end) == end)
                w.revision = static_cast<int>(i) + 1;
        if (w.revision == 0 && end == size)
            w.revision = static_cast<int>(revisions_.size());
        if (end == size)
            r.coverage = Coverage::EntireFile;
        else if (w.revision > 0)
            r.coverage = Coverage::EntireRevision;
        else
            r.coverage = Coverage::Unclear;

        // The gap must lie inside the signature dictionary as the signed revision has it (a later
        // redefinition of the dictionary is a change after signing, judged by the diff).
        const std::map<QPDFObjGen, QPDFXRefEntry>* xref = &final_.xref;
        if (w.revision > 0 && end != size) {
            RevisionView* signed_view = view(w.revision);
            if (signed_view && signed_view->qpdf)
                xref = &signed_view->xref;
        }
        auto entry = xref->find(w.og);
        if (entry == xref->end() || entry->second.getType() != 1) {
            fail_format(w, entry == xref->end()
                               ? "the signature dictionary is not in the revision it signs"
                               : "the signature dictionary is inside an object stream");
            return;
        }
        std::int64_t obj_at = entry->second.getOffset();
        std::string before = file_->read_string(
            static_cast<std::uint64_t>(std::max<std::int64_t>(obj_at, w.a - 64)),
            static_cast<std::size_t>(w.a - std::max<std::int64_t>(obj_at, w.a - 64)));
        while (!before.empty() && std::isspace(static_cast<unsigned char>(before.back())))
            before.pop_back();
        bool after_key =
            before.size() >= 9 && before.compare(before.size() - 9, 9, "/Contents") == 0;
        std::int64_t next_obj = size;
        for (const auto& [og, e] : *xref)
            if (e.getType() == 1 && e.getOffset() > obj_at && e.getOffset() < next_obj)
                next_obj = e.getOffset();
        if (obj_at >= w.a || !after_key || w.b > next_obj) {
            fail_format(w, "the /ByteRange gap is not the /Contents of signature dictionary " +
                               r.object + " (signature wrapping)");
            return;
        }
        w.contents = std::move(decoded);
        w.structure_ok = true;
        if (r.coverage == Coverage::Unclear)
            fail_format(w, "the signed bytes end at offset " + std::to_string(end) +
                               ", which is neither the end of the file nor the end of a revision");
        r.revision = w.revision;
        cms(w);
    }

    // Streams [0, a) and [b, b + c) once through every digest the signature needs.
    std::map<std::string, Bytes> hash_ranges(const SigWork& w,
                                             const std::vector<crypto::DigestSpec>& specs) {
        crypto::MultiHasher h;
        for (const auto& s : specs)
            h.add(s);
        std::vector<char> buf(kHashChunk);
        auto feed = [&](std::uint64_t from, std::uint64_t len) {
            while (len > 0) {
                std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, buf.size()));
                std::size_t got = file_->read_at(from, buf.data(), n);
                if (got != n)
                    throw input_error("the file changed or could not be read while hashing");
                h.update(buf.data(), got);
                from += got;
                len -= got;
            }
        };
        feed(0, static_cast<std::uint64_t>(w.a));
        feed(static_cast<std::uint64_t>(w.b), static_cast<std::uint64_t>(w.c));
        std::map<std::string, Bytes> out;
        for (const auto& s : specs)
            if (!out.count(s.name))
                out[s.name] = h.result(s);
        return out;
    }

    std::vector<crypto::Certificate> pool() const {
        std::vector<crypto::Certificate> out = ctx_.extra;
        out.insert(out.end(), dss_certs_.begin(), dss_certs_.end());
        return out;
    }

    void cms(SigWork& w) {
        SignatureReport& r = w.r;
        std::string error;
        w.cms = crypto::SignedData::parse(w.contents, error);
        if (!w.cms) {
            fail_format(w, "the signature value is not a CMS SignedData: " + error);
            return;
        }
        crypto::SignedData& sd = *w.cms;
        std::vector<crypto::Certificate> extra = pool();
        if (r.kind == "document_timestamp") {
            auto alg = crypto::timestamp_imprint_algorithm(w.contents);
            if (!alg || !alg->known) {
                fail_format(w, "the document timestamp is not a readable RFC 3161 token");
                return;
            }
            auto digests = hash_ranges(w, {*alg});
            w.doc_ts =
                crypto::check_timestamp_token(w.contents, nullptr, digests[alg->name], extra);
            const crypto::TimestampCheck& ts = *w.doc_ts;
            r.digest_algorithm = alg->name;
            r.document_digest = hex_encode(digests[alg->name]);
            r.signature_algorithm = ts.signer.signature_algorithm;
            if (!ts.parsed) {
                fail_format(w, "document timestamp: " + ts.error);
                return;
            }
            w.signers.push_back(ts.signer);
            if (!ts.imprint_ok) {
                w.hash_failure = true;
                r.errors.push_back("the document timestamp's imprint does not match the signed "
                                   "bytes");
            }
            r.intact = ts.imprint_ok && ts.signer.message_digest_ok;
            r.timestamp_time = iso_time(ts.gen_time);
            Timestamp t;
            t.kind = "document";
            t.time = iso_time(ts.gen_time);
            t.tsa = ts.signer.signer.empty() ? "" : ts.signer.signer.subject();
            t.valid = ts.valid();
            t.problem = ts.error;
            r.timestamps.push_back(t);
            judge_signer(w, ts.signer, true);
            if (!ts.tsa_eku_ok) {
                w.format_failure = true;
                r.errors.push_back("the TSA certificate lacks the critical timeStamping usage");
            }
            return;
        }

        bool detached_filter =
            r.sub_filter == "adbe.pkcs7.detached" || r.sub_filter == "ETSI.CAdES.detached";
        bool sha1_filter = r.sub_filter == "adbe.pkcs7.sha1";
        if (!detached_filter && !sha1_filter) {
            fail_format(w, "unsupported /SubFilter " +
                               (r.sub_filter.empty() ? std::string("(none)") : r.sub_filter));
            return;
        }
        if (detached_filter && !sd.detached()) {
            fail_format(w, "a detached signature (" + r.sub_filter +
                               ") must not encapsulate content (eContent present)");
            return;
        }
        if (detached_filter && sd.econtent_type() != "1.2.840.113549.1.7.1")
            fail_format(w,
                        "the encapsulated content type is " + sd.econtent_type() + ", not id-data");
        if (sha1_filter && sd.detached()) {
            fail_format(w, "adbe.pkcs7.sha1 must encapsulate the SHA-1 digest of the document");
            return;
        }
        if (sd.signer_count() > 1)
            r.warnings.push_back("the CMS has " + std::to_string(sd.signer_count()) +
                                 " SignerInfos; all were verified");
        r.signer_infos = static_cast<int>(sd.signer_count());

        std::vector<crypto::DigestSpec> specs;
        for (std::size_t i = 0; i < sd.signer_count(); ++i)
            specs.push_back(sd.signer_digest(i));
        if (sha1_filter)
            specs.push_back(crypto::digest_spec_from_name("sha1"));
        auto digests = hash_ranges(w, specs);
        if (sha1_filter) {
            w.weak_digest = true;
            if (sd.econtent() != digests["sha1"]) {
                w.hash_failure = true;
                r.errors.push_back("the encapsulated SHA-1 digest does not match the signed bytes");
            }
        }
        for (std::size_t i = 0; i < sd.signer_count(); ++i) {
            crypto::DigestSpec spec = sd.signer_digest(i);
            Bytes content_digest =
                sha1_filter ? crypto::digest_any(spec, sd.econtent().data(), sd.econtent().size())
                            : digests[spec.name];
            w.signers.push_back(sd.check_signer(i, content_digest, extra));
        }
        const crypto::SignerCheck& first = w.signers.front();
        r.digest_algorithm = first.digest.name;
        // adbe.pkcs7.sha1 signs the encapsulated SHA-1 of the ranges: that is its document digest.
        r.document_digest = hex_encode(sha1_filter ? digests["sha1"] : digests[first.digest.name]);
        r.signature_algorithm = first.signature_algorithm;
        r.intact = !w.hash_failure;
        for (const auto& s : w.signers) {
            r.intact = r.intact && s.digest_matches_document;
            judge_signer(w, s, false);
            if (r.sub_filter == "ETSI.CAdES.detached" && !s.signing_certificate_present) {
                w.format_failure = true;
                r.errors.push_back("ETSI.CAdES.detached requires the ESS signing-certificate-v2 "
                                   "attribute (ETSI EN 319 142-1)");
            }
        }
        if (first.timestamp_token) {
            crypto::TimestampCheck ts = crypto::check_timestamp_token(
                *first.timestamp_token, &first.signature_value, std::nullopt, extra);
            Timestamp t;
            t.kind = "signature";
            t.time = ts.parsed ? iso_time(ts.gen_time) : "";
            t.tsa = ts.signer.signer.empty() ? "" : ts.signer.signer.subject();
            t.valid = ts.valid();
            t.problem = ts.error;
            r.timestamps.push_back(t);
            w.sig_ts = ts;
            if (!ts.valid())
                r.warnings.push_back("the signature timestamp is not valid: " + ts.error);
        }
    }

    void judge_signer(SigWork& w, const crypto::SignerCheck& s, bool token) {
        SignatureReport& r = w.r;
        std::string who = w.signers.size() > 1 && !token
                              ? "SignerInfo " + std::to_string(s.index + 1) + ": "
                              : "";
        if (s.digest.weak)
            w.weak_digest = true;
        if (s.signer.empty()) {
            w.no_signer = true;
            r.errors.push_back(who + "the signer's certificate is not in the signature");
            return;
        }
        if (!r.signer)
            r.signer = cert_info(s.signer);
        if (!s.digest.known) {
            w.format_failure = true;
            r.errors.push_back(who + "unsupported digest algorithm " + s.digest.oid);
            return;
        }
        if (!s.algorithm_consistent)
            w.format_failure = true;
        if (s.signed_attributes && !s.content_type_ok)
            w.format_failure = true;
        if (s.signed_attributes && !s.message_digest_ok)
            w.hash_failure = true;
        if (!s.signature_ok)
            w.crypto_failure = true;
        if (s.signing_certificate_present && !s.signing_certificate_ok)
            w.format_failure = true;
        for (const std::string& p : s.problems)
            r.errors.push_back(who + p);
    }

    void check_gaps() {
        for (std::size_t i = 0; i < work_.size(); ++i)
            for (std::size_t j = i + 1; j < work_.size(); ++j) {
                SigWork& x = work_[i];
                SigWork& y = work_[j];
                if (!x.structure_ok || !y.structure_ok)
                    continue;
                if (x.a == y.a && x.b == y.b) {
                    fail_format(x, "signature " + y.r.field + " claims the same /Contents");
                    fail_format(y, "signature " + x.r.field + " claims the same /Contents");
                } else if (x.a < y.b && y.a < x.b) {
                    fail_format(x, "the /ByteRange gap overlaps that of signature " + y.r.field);
                    fail_format(y, "the /ByteRange gap overlaps that of signature " + x.r.field);
                }
            }
    }

    // --- changes after signing -------------------------------------------------------------

    RevisionView* view(int number) {
        if (number < 1 || number > static_cast<int>(revisions_.size()))
            return nullptr;
        auto it = views_.find(number);
        if (it != views_.end())
            return it->second.get();
        auto v = std::make_unique<RevisionView>();
        v->info = revisions_[static_cast<std::size_t>(number - 1)];
        try {
            if (v->info.end >= file_->size()) {
                v->qpdf = detail::open_revision(file_, file_->size());
            } else {
                v->qpdf = detail::open_revision(file_, v->info.end);
            }
            v->xref = v->qpdf->getXRefTable();
            if (v->qpdf->anyWarnings())
                v->error = first_warning(*v->qpdf);
        } catch (const QPDFExc& e) {
            v->error = describe_qpdf(e);
            v->qpdf.reset();
        }
        RevisionView* raw = v.get();
        views_[number] = std::move(v);
        return raw;
    }

    detail::RoleMap& roles(int number) {
        auto it = roles_.find(number);
        if (it != roles_.end())
            return it->second;
        RevisionView* v = view(number);
        detail::RoleMap map;
        if (v && v->qpdf)
            map = detail::build_roles(*v->qpdf);
        return roles_[number] = std::move(map);
    }

    // The permission in force after signature `w`: the document's DocMDP (when the certification
    // signature is at or before w) and FieldMDP /Lock /P.
    int permission_for(const SigWork& w) const {
        int p = 0;
        for (const SigWork& o : work_)
            if (o.r.docmdp > 0 && o.revision > 0 && o.revision <= w.revision)
                p = p == 0 ? o.r.docmdp : std::min(p, o.r.docmdp);
        bool certified_field = std::any_of(work_.begin(), work_.end(),
                                           [](const SigWork& o) { return o.r.docmdp > 0; });
        // /Perms names a certification that is no signature field: apply it to every signature.
        if (p == 0 && report_.docmdp > 0 && (!certified_field || w.r.docmdp > 0))
            p = report_.docmdp;
        for (const SigWork& o : work_)
            if (o.lock_p > 0 && o.revision > 0 && o.revision <= w.revision)
                p = p == 0 ? o.lock_p : std::min(p, o.lock_p);
        return p;
    }

    void classify(Change& c, int p, const std::string& field, const SigWork& w) {
        const Policy& pol = ctx_.policy;
        c.allowed = false;
        c.warning = false;
        switch (c.category) {
        case ChangeCategory::Dss:
        case ChangeCategory::Timestamp:
            c.allowed = true; // ISO 32000-2: not a change for DocMDP, even P=1
            break;
        case ChangeCategory::Signature:
            c.allowed = p != 1;
            break;
        case ChangeCategory::Form:
            c.allowed = p != 1 && pol.allow_forms;
            break;
        case ChangeCategory::Annotation:
            c.allowed = p == 0 || p == 3;
            c.warning = c.allowed && !pol.allow_annotations;
            break;
        case ChangeCategory::Metadata:
            c.allowed = p != 1;
            c.warning = c.allowed;
            break;
        case ChangeCategory::Forbidden:
            break;
        }
        // FieldMDP: fields locked by this or an earlier signature keep their value.
        if (c.allowed && !field.empty() &&
            (c.category == ChangeCategory::Form || c.category == ChangeCategory::Signature)) {
            for (const SigWork& o : work_) {
                if (o.revision <= 0 || o.revision > w.revision || o.locked.empty())
                    continue;
                if (std::find(o.locked.begin(), o.locked.end(), field) != o.locked.end() &&
                    field != o.r.field) {
                    c.allowed = false;
                    c.warning = false;
                    c.description += " (locked by signature " + o.r.field + ", FieldMDP)";
                }
            }
        }
    }

    void changes(SigWork& w) {
        SignatureReport& r = w.r;
        if (!w.structure_ok || w.revision == 0)
            return;
        int last = static_cast<int>(revisions_.size());
        if (w.revision >= last)
            return; // nothing after it
        RevisionView* signed_view = view(w.revision);
        if (!signed_view || !signed_view->qpdf) {
            fail_format(w, "the signed revision cannot be read on its own: " +
                               (signed_view ? signed_view->error : std::string("unknown")));
            return;
        }
        if (!signed_view->error.empty()) {
            fail_format(w, "the signed revision is damaged (QPDF: " + signed_view->error + ")");
            return;
        }
        auto in_rev = signed_view->xref.find(w.og);
        auto in_final = final_.xref.find(w.og);
        if (in_rev == signed_view->xref.end()) {
            fail_format(w, "the signature dictionary is not part of the revision it signs");
            return;
        }
        if (in_final == final_.xref.end() ||
            in_final->second.getOffset() != in_rev->second.getOffset()) {
            fail_format(w, "the signature dictionary was replaced by a later revision");
        }
        int p = permission_for(w);
        std::set<std::string> seen;
        for (int j = w.revision + 1; j <= last; ++j) {
            RevisionView* later = view(j);
            if (!later || !later->qpdf) {
                fail_format(w, "revision " + std::to_string(j) + " cannot be read: " +
                                   (later ? later->error : std::string("unknown")));
                continue;
            }
            if (!later->error.empty()) {
                fail_format(w, "revision " + std::to_string(j) +
                                   " is damaged (QPDF: " + later->error + ")");
                continue;
            }
            detail::RoleMap& older_roles = roles(w.revision);
            detail::RoleMap& newer_roles = roles(j);
            if (older_roles.truncated || newer_roles.truncated) {
                fail_format(w, "the document structure is too large to compare revisions");
                return;
            }
            for (detail::FoundChange& fc :
                 detail::diff_revisions(*signed_view, older_roles, *later, newer_roles)) {
                std::string key = fc.change.object + "|" + fc.change.description;
                if (!seen.insert(key).second)
                    continue;
                classify(fc.change, p, fc.field, w);
                r.changes.push_back(fc.change);
            }
        }
        for (const Change& c : r.changes) {
            if (!c.allowed) {
                r.changes_ok = false;
                if (c.category != ChangeCategory::Forbidden && p > 0)
                    r.docmdp_ok = false;
            }
        }
        if (!r.changes_ok) {
            std::string first;
            int n = 0;
            for (const Change& c : r.changes)
                if (!c.allowed) {
                    if (n++ == 0)
                        first = c.what + " (" + c.object + "): " + c.description;
                }
            r.errors.push_back("changed after signing: " + first +
                               (n > 1 ? " (and " + std::to_string(n - 1) + " more)" : ""));
        }
        for (const Change& c : r.changes)
            if (c.allowed && c.warning)
                r.warnings.push_back("after signing: " + c.what + ": " + c.description);
    }

    void revision_infos() {
        for (std::size_t i = 0; i < revisions_.size(); ++i) {
            RevisionInfo info;
            info.number = static_cast<int>(i) + 1;
            info.end = static_cast<std::int64_t>(revisions_[i].end);
            info.xref = revisions_[i].xref_kind;
            for (const SigWork& w : work_)
                if (w.revision == info.number)
                    info.signatures.push_back(w.r.field);
            // Per-revision changes only for files with a few revisions (history needs them; the
            // cost is one parse per revision).
            if (i > 0 && revisions_.size() <= 64) {
                RevisionView* older = view(info.number - 1);
                RevisionView* newer = view(info.number);
                if (older && newer && older->qpdf && newer->qpdf && older->error.empty() &&
                    newer->error.empty()) {
                    try {
                        auto& ro = roles(info.number - 1);
                        auto& rn = roles(info.number);
                        for (auto& fc : detail::diff_revisions(*older, ro, *newer, rn))
                            info.changes.push_back(fc.change);
                    } catch (const std::exception& e) {
                        report_.warnings.push_back("revision " + std::to_string(info.number) +
                                                   " could not be compared: " + e.what());
                    }
                }
            }
            report_.revisions.push_back(std::move(info));
        }
    }

    // --- time and trust ---------------------------------------------------------------------

    Clock::time_point now() const { return ctx_.policy.at ? *ctx_.policy.at : Clock::now(); }

    // A timestamp token's TSA chain at its genTime.
    bool tsa_trusted(const crypto::TimestampCheck& ts) const {
        if (!ts.valid() || ts.signer.signer.empty())
            return false;
        std::vector<crypto::Certificate> untrusted = ts.certificates;
        auto p = pool();
        untrusted.insert(untrusted.end(), p.begin(), p.end());
        auto res = crypto::validate_chain(ts.signer.signer, untrusted, ctx_.anchors, ts.gen_time);
        return res.status == crypto::ChainStatus::Valid;
    }

    void timing(SigWork& w) {
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
                    t.tsa =
                        o.doc_ts->signer.signer.empty() ? "" : o.doc_ts->signer.signer.subject();
                    t.valid = t.trusted = true;
                    w.r.timestamps.push_back(t);
                }
            }
        }
        if (w.time_proven && w.r.kind != "document_timestamp")
            w.r.timestamp_time = iso_time(w.best_time);
        w.r.validation_time = iso_time(w.best_time);
    }

    void trust(SigWork& w) {
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
        w.chain_checked = true;
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
                    std::regex_search(leaf.subject(), ctx_.expect_regex) ||
                    std::regex_search(leaf.common_name(), ctx_.expect_regex);
        }

        // Revocation of every certificate on the path but the anchor.
        r.revocation = "not_checked";
        if (ctx_.policy.revocation == "none" ||
            (w.chain.status != crypto::ChainStatus::Valid &&
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
        for (std::size_t i = 0; i + 1 < w.chain.path.size(); ++i) {
            const crypto::Certificate& cert = w.chain.path[i];
            const crypto::Certificate& issuer = w.chain.path[i + 1];
            crypto::RevocationResult res = crypto::check_revocation(
                cert, issuer, data, ctx_.anchors, untrusted, w.best_time, " (embedded)");
            if (res.status == crypto::RevocationStatus::Unknown && ctx_.policy.online) {
                std::vector<std::string> errors;
                crypto::OnlineOptions opts;
                opts.ocsp_url = ctx_.policy.ocsp_url;
                crypto::RevocationData fetched =
                    crypto::fetch_revocation(cert, issuer, opts, errors);
                // An on-line answer is about now: judge it at the validation time if the
                // certificate is revoked, otherwise "good now" also covers the past.
                res = crypto::check_revocation(cert, issuer, fetched, ctx_.anchors, untrusted,
                                               w.best_time, " (online)");
                if (res.status == crypto::RevocationStatus::Unknown && !errors.empty())
                    res.detail = errors.front();
            }
            std::string who = i == 0 ? "signer" : "CA " + cert.common_name();
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
                                         iso_time(*res.revoked_at) +
                                         ", after the proven signing time");
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

    // --- verdicts --------------------------------------------------------------------------

    void decide(SigWork& w) {
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
            set(Indication::Indeterminate, SubIndication::NoSigningCertificateFound, first_error());
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
                SubIndication::ChainConstraintsFailure,
                "certificate path invalid: " + w.chain.detail);
        } else if (!r.trusted) {
            set(pol.require_trusted ? Indication::Failed : Indication::Indeterminate,
                SubIndication::ChainConstraintsFailure, first_error());
        } else if (r.revocation == "unknown" && pol.revocation == "require") {
            set(Indication::Indeterminate, SubIndication::TryLater,
                "revocation status unknown (--revocation require)");
        } else if (pol.require_timestamp && !has_ts && r.kind != "document_timestamp") {
            set(Indication::Failed, SubIndication::SigConstraintsFailure,
                "no valid, trusted timestamp (--require-timestamp)");
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

    void bottom_line() {
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
        if (signatures < pol.min_signatures)
            rep.problems.push_back(signatures == 0 ? "the file has no signature"
                                                   : "the file has " + std::to_string(signatures) +
                                                         " signature(s), " +
                                                         std::to_string(pol.min_signatures) +
                                                         " required (--min-signatures)");
        if (!pol.expect_signer.empty() && !expected)
            rep.problems.push_back("no valid signature by the expected signer " +
                                   pol.expect_signer + " (--expect-signer)");
        if (failed > 0 || !rep.problems.empty()) {
            rep.indication = Indication::Failed;
            rep.sub_indication =
                failed > 0 ? SubIndication::None : SubIndication::SigConstraintsFailure;
        } else if (indeterminate > 0) {
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

    const Context& ctx_;
    VerifyReport report_;
    std::shared_ptr<FileHandle> file_;
    std::vector<detail::Revision> revisions_;
    RevisionView final_;
    std::map<int, std::unique_ptr<RevisionView>> views_;
    std::map<int, detail::RoleMap> roles_;
    std::vector<SigWork> work_;
    std::vector<std::string> all_field_names_;
    std::vector<std::string> warnings_;
    std::vector<crypto::Certificate> dss_certs_;
    crypto::RevocationData dss_revocation_;
    QPDFObjGen certification_og_;
};

} // namespace

std::vector<std::filesystem::path> expand_inputs(const std::vector<std::filesystem::path>& inputs) {
    std::vector<std::filesystem::path> out;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (std::filesystem::is_directory(in, ec)) {
            std::vector<std::filesystem::path> found;
            for (auto it = std::filesystem::recursive_directory_iterator(
                     in, std::filesystem::directory_options::skip_permission_denied, ec);
                 it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                if (ec)
                    break;
                std::string ext = it->path().extension().string();
                std::transform(ext.begin(), ext.end(), ext.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                if (ext == ".pdf" && it->is_regular_file(ec))
                    found.push_back(it->path());
            }
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            out.push_back(in);
        }
    }
    return out;
}

namespace {

VerifyReport verify_one(const std::filesystem::path& file, const Context& ctx) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        VerifyReport r;
        r.file = file;
        r.status = FileStatus::BadInput;
        r.error = "no such file";
        r.summary = "unreadable: no such file";
        return r;
    }
    return FileVerifier(file, ctx).run();
}

} // namespace

VerifyReport verify_file(const std::filesystem::path& file, const Policy& policy) {
    Context ctx = make_context(policy);
    return verify_one(file, ctx);
}

std::vector<VerifyReport> verify_files(const std::vector<std::filesystem::path>& inputs,
                                       const Policy& policy, unsigned jobs,
                                       const std::function<void(const VerifyReport&)>& done) {
    Context ctx = make_context(policy);
    std::vector<std::filesystem::path> files = expand_inputs(inputs);
    std::vector<VerifyReport> out(files.size());
    if (jobs == 0)
        jobs = std::max(1u, std::thread::hardware_concurrency());
    jobs = std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(1, files.size())));
    std::atomic<std::size_t> next{0};
    std::mutex done_mutex;
    auto worker = [&] {
        for (std::size_t i = next++; i < files.size(); i = next++) {
            out[i] = verify_one(files[i], ctx);
            if (done) {
                std::lock_guard<std::mutex> lock(done_mutex);
                done(out[i]);
            }
        }
    };
    if (jobs <= 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < jobs; ++t)
            threads.emplace_back(worker);
        for (auto& t : threads)
            t.join();
    }
    return out;
}

int exit_code_for(const std::vector<VerifyReport>& reports) {
    bool failed = false, bad = false, indeterminate = false;
    for (const VerifyReport& r : reports) {
        if (r.status == FileStatus::BadInput)
            bad = true;
        else if (r.indication == Indication::Failed)
            failed = true;
        else if (r.indication == Indication::Indeterminate)
            indeterminate = true;
    }
    if (failed)
        return 1;
    if (bad)
        return 4;
    if (indeterminate)
        return 3;
    return 0;
}

} // namespace neac::verify
