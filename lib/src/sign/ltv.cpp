#include "neac/sign/ltv.hpp"

#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/digest.hpp"
#include "neac/pdf/decode_guard.hpp"
#include "neac/pdf/document.hpp"
#include "neac/pdf/dss.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/pdf/signature_field.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "util/fd.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace neac::sign {

namespace {

// Room for the document timestamp's token: a TSA chain of 2-3 RSA certificates makes 3-7 KB.
constexpr std::size_t kDocumentTimestampCapacity = 16384;

// One signature or document timestamp of the file, as validation data sees it.
struct FoundSignature {
    std::string field;
    std::string contents; // /Contents as stored (the /VRI key is its SHA-1)
    bool document_timestamp = false;
    std::vector<crypto::Certificate> certificates; // carried by the CMS and its tokens
    std::vector<crypto::Certificate> leaves;       // the signer, the TSA of each token
    std::optional<std::chrono::system_clock::time_point> timestamp_time; // document timestamps
};

std::vector<FoundSignature> find_signatures(QPDF& q) {
    std::vector<FoundSignature> out;
    std::set<QPDFObjGen> seen; // one signature may be the value of several fields
    for (const pdf::SigField& f : pdf::scan_fields(q).signatures) {
        QPDFObjectHandle v = f.value;
        if (!v.isDictionary() || !v.getKey("/Contents").isString())
            continue;
        if (v.isIndirect() && !seen.insert(v.getObjGen()).second)
            continue;
        FoundSignature s;
        s.field = f.name;
        s.contents = v.getKey("/Contents").getStringValue();
        s.document_timestamp = v.getKey("/Type").isNameAndEquals("/DocTimeStamp") ||
                               v.getKey("/SubFilter").isNameAndEquals("/ETSI.RFC3161");
        Bytes der(s.contents.begin(), s.contents.end());
        auto add_token = [&s](const Bytes& token) {
            crypto::TimestampCheck ts = crypto::check_timestamp_token(token, nullptr, Bytes{});
            s.certificates.insert(s.certificates.end(), ts.certificates.begin(),
                                  ts.certificates.end());
            if (!ts.signer.signer.empty())
                s.leaves.push_back(ts.signer.signer);
            return ts;
        };
        if (s.document_timestamp) {
            crypto::TimestampCheck ts = add_token(der);
            if (ts.parsed)
                s.timestamp_time = ts.gen_time;
        } else {
            std::string error;
            auto cms = crypto::SignedData::parse(der, error);
            if (cms && cms->signer_count() > 0) {
                s.certificates = cms->certificates();
                crypto::SignerCheck signer = cms->check_signer(0, Bytes{});
                if (!signer.signer.empty())
                    s.leaves.push_back(signer.signer);
                if (signer.timestamp_token)
                    add_token(*signer.timestamp_token);
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string der_string(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

pdf::DssItems to_items(const crypto::ValidationData& data) {
    pdf::DssItems items;
    for (const crypto::Certificate& c : data.certificates)
        items.certificates.push_back(der_string(c.der()));
    for (const Bytes& r : data.ocsp_responses)
        items.ocsp_responses.push_back(der_string(r));
    for (const Bytes& c : data.crls)
        items.crls.push_back(der_string(c));
    return items;
}

bool holds_all(const pdf::DssItems& have, const pdf::DssItems& want) {
    auto all_in = [](const std::vector<std::string>& pool, const std::vector<std::string>& items) {
        return std::all_of(items.begin(), items.end(), [&](const std::string& i) {
            return std::find(pool.begin(), pool.end(), i) != pool.end();
        });
    };
    return all_in(have.certificates, want.certificates) &&
           all_in(have.ocsp_responses, want.ocsp_responses) && all_in(have.crls, want.crls);
}

std::string who(const FoundSignature& s) {
    return (s.document_timestamp ? "document timestamp " : "signature ") + s.field;
}

// Appends `bytes` to the file, which must still be `expected_size` long.
void append_bytes(const std::filesystem::path& file, std::uint64_t expected_size,
                  const std::string& bytes) {
    Fd fd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (fd.get() < 0)
        throw input_error(std::string("cannot open for writing: ") + std::strerror(errno))
            .file(file.string());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || static_cast<std::uint64_t>(st.st_size) != expected_size)
        throw input_error("the file changed while validation data was being added")
            .file(file.string());
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd.get(), p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw input_error(std::string("cannot write: ") + std::strerror(errno))
                .file(file.string());
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

// Hashes the first `size` bytes of the file.
void hash_prefix(const std::filesystem::path& file, std::uint64_t size, crypto::Hasher& hasher) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        throw input_error(std::string("cannot open: ") + std::strerror(errno)).file(file.string());
    std::vector<char> buf(1 << 20);
    std::uint64_t done = 0;
    while (done < size) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - done));
        ssize_t n = ::read(fd.get(), buf.data(), want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw input_error("the file shrank while it was being time-stamped")
                .file(file.string());
        hasher.update(buf.data(), static_cast<std::size_t>(n));
        done += static_cast<std::uint64_t>(n);
    }
}

std::string free_timestamp_field_name(QPDF& q) {
    std::vector<std::string> names = pdf::field_names(q);
    for (int i = 1;; ++i) {
        std::string name = "DocumentTimestamp" + std::to_string(i);
        if (std::find(names.begin(), names.end(), name) == names.end())
            return name;
    }
}

// A file that carries signatures is appended to as it stands, even when QPDF had to repair
// minor damage to read it: rewriting it would break the signatures.
std::unique_ptr<pdf::Document> open_owned(const std::filesystem::path& file) {
    auto doc = pdf::Document::open(file, pdf::OpenMode::Lenient);
    if (!doc->appendable())
        throw input_error("the file's cross-reference chain is damaged: an update appended to it "
                          "would not be found by readers")
            .file(file.string());
    doc->accept_damage();
    return doc;
}

} // namespace

const char* level_name(Level level) {
    switch (level) {
    case Level::B_B:
        return "B-B";
    case Level::B_T:
        return "B-T";
    case Level::B_LT:
        return "B-LT";
    case Level::B_LTA:
        return "B-LTA";
    }
    return "B-B";
}

Level parse_level(std::string_view text) {
    std::string t;
    for (char c : text)
        if (c != '-' && c != '_')
            t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t.rfind("PADES", 0) == 0)
        t = t.substr(5);
    if (t.rfind("B", 0) == 0 && t.size() > 1)
        t = t.substr(1);
    if (t == "B" || t.empty())
        return Level::B_B;
    if (t == "T")
        return Level::B_T;
    if (t == "LT")
        return Level::B_LT;
    if (t == "LTA")
        return Level::B_LTA;
    throw usage_error("unknown signature level '" + std::string(text) +
                      "': use B-B, B-T, B-LT or B-LTA");
}

Extender::Extender(ExtendOptions options)
    : options_(std::move(options)), collector_(options_.timeout) {}

ArchiveState Extender::inspect(const std::filesystem::path& file) {
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kVerifyDecodeBytes);
    auto doc = pdf::Document::open(file, pdf::OpenMode::Lenient);
    QPDF& q = doc->qpdf();
    ArchiveState state;
    state.has_dss = q.getRoot().getKey("/DSS").isDictionary();
    std::uint64_t last_end = 0;
    for (const pdf::SigField& f : pdf::scan_fields(q).signatures) {
        ++state.signatures;
        QPDFObjectHandle v = f.value;
        bool dts = v.getKey("/Type").isNameAndEquals("/DocTimeStamp") ||
                   v.getKey("/SubFilter").isNameAndEquals("/ETSI.RFC3161");
        QPDFObjectHandle br = v.getKey("/ByteRange");
        std::uint64_t end = 0;
        if (br.isArray() && br.getArrayNItems() == 4 && br.getArrayItem(2).isInteger() &&
            br.getArrayItem(3).isInteger())
            end = static_cast<std::uint64_t>(br.getArrayItem(2).getIntValue() +
                                             br.getArrayItem(3).getIntValue());
        if (end >= last_end) {
            last_end = end;
            state.ends_with_document_timestamp = dts && end + 2 >= doc->file_size();
        }
        if (!dts || !v.getKey("/Contents").isString())
            continue;
        ++state.document_timestamps;
        std::string contents = v.getKey("/Contents").getStringValue();
        crypto::TimestampCheck ts = crypto::check_timestamp_token(
            Bytes(contents.begin(), contents.end()), nullptr, Bytes{});
        if (!ts.parsed)
            continue;
        if (!state.last_timestamp_time || ts.gen_time > *state.last_timestamp_time) {
            state.last_timestamp_time = ts.gen_time;
            state.last_timestamp_expiry.reset();
            if (!ts.signer.signer.empty())
                state.last_timestamp_expiry = ts.signer.signer.not_after();
        }
    }
    return state;
}

ExtendResult Extender::extend(const std::filesystem::path& file,
                              const std::vector<crypto::Certificate>& more_certs) {
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kVerifyDecodeBytes);
    std::error_code ec;
    const std::uint64_t original_size = std::filesystem::file_size(file, ec);
    if (ec)
        throw input_error("cannot read: " + ec.message()).file(file.string());
    ExtendResult result;
    try {
        // 1. Validation data (B-LT) for every signature and document timestamp.
        {
            auto doc = open_owned(file);
            QPDF& q = doc->qpdf();
            std::vector<FoundSignature> sigs = find_signatures(q);
            if (sigs.empty())
                throw input_error("the file holds no signature to extend").file(file.string());
            // Each signature may send requests to the servers its certificates name: a hostile
            // file must not turn one extend into thousands of them.
            if (sigs.size() > limits::kSignaturesPerFile)
                throw input_error("the file has " + std::to_string(sigs.size()) +
                                  " signatures; neac extends files with at most " +
                                  std::to_string(limits::kSignaturesPerFile))
                    .file(file.string());
            pdf::DssItems present = pdf::read_dss(*doc);
            std::vector<crypto::Certificate> pool = options_.extra_certs;
            pool.insert(pool.end(), more_certs.begin(), more_certs.end());
            for (const FoundSignature& s : sigs)
                pool.insert(pool.end(), s.certificates.begin(), s.certificates.end());
            for (const std::string& der : present.certificates) {
                try {
                    pool.push_back(crypto::Certificate::from_der(Bytes(der.begin(), der.end())));
                } catch (const Error&) {
                    // An unreadable certificate already in the DSS helps no chain.
                }
            }
            auto now = current_time();
            crypto::ValidationData all;
            std::vector<pdf::VriEntry> vri;
            std::vector<std::string> missing;
            for (const FoundSignature& s : sigs) {
                crypto::ValidationData mine;
                for (const crypto::Certificate& leaf : s.leaves) {
                    crypto::ChainValidationData chain = collector_.collect(leaf, pool, now);
                    mine.merge(chain.data);
                    for (const std::string& p : chain.problems)
                        missing.push_back(who(s) + ": " + p);
                    for (const crypto::CertificateStatus& st : chain.statuses) {
                        if (st.result.status != crypto::RevocationStatus::Revoked)
                            continue;
                        result.revoked = true;
                        result.warnings.insert(
                            result.warnings.begin(),
                            who(s) + ": the certificate of " + st.certificate.common_name() +
                                " was revoked" +
                                (st.result.revoked_at ? " on " + utc_text(*st.result.revoked_at)
                                                      : "") +
                                (st.result.reason.empty() ? "" : " (" + st.result.reason + ")"));
                    }
                }
                if (s.leaves.empty())
                    missing.push_back(who(s) + ": no signer certificate in its CMS");
                all.merge(mine);
                pdf::VriEntry entry;
                entry.key = hex_encode(
                    crypto::digest_any(crypto::digest_spec_from_name("sha1"),
                                       reinterpret_cast<const std::uint8_t*>(s.contents.data()),
                                       s.contents.size()),
                    true);
                entry.items = to_items(mine);
                vri.push_back(std::move(entry));
            }
            if (!missing.empty()) {
                if (!options_.allow_incomplete) {
                    Error e(ErrorKind::Remote,
                            "validation data is missing: " + missing.front() +
                                (missing.size() > 1
                                     ? " (and " + std::to_string(missing.size() - 1) + " more)"
                                     : ""));
                    e.file(file.string())
                        .hint("check that the OCSP responders and CRL servers the certificates "
                              "name are "
                              "reachable; --allow-incomplete embeds what can be had");
                    throw e;
                }
                result.warnings.insert(result.warnings.end(), missing.begin(), missing.end());
            }
            pdf::DssItems wanted = to_items(all);
            if (!holds_all(present, wanted)) {
                pdf::DssRevision rev = pdf::dss_revision(*doc, wanted, vri);
                doc.reset();
                append_bytes(file, rev.revision.base, rev.revision.bytes);
                result.dss_added = true;
                result.added_certificates = rev.added_certificates;
                result.added_ocsp_responses = rev.added_ocsp_responses;
                result.added_crls = rev.added_crls;
            }
            result.level = missing.empty() ? Level::B_LT : Level::B_T;
        }

        // 2. The document timestamp (B-LTA) over everything, the validation data included.
        if (options_.level == Level::B_LTA) {
            auto doc = open_owned(file);
            pdf::Placement placement;
            placement.invisible = true;
            placement.field_name = free_timestamp_field_name(doc->qpdf());
            pdf::SignatureDictionary sig;
            sig.sub_filter = "ETSI.RFC3161";
            sig.document_timestamp = true;
            sig.contents_capacity = kDocumentTimestampCapacity;
            pdf::PreparedRevision rev =
                pdf::prepare_signature_revision(*doc, placement, sig, pdf::AppearanceWriter{});
            std::uint64_t base = rev.revision.base;
            doc.reset();
            crypto::Hasher hasher(options_.digest);
            hash_prefix(file, base, hasher);
            const std::string& bytes = rev.revision.bytes;
            auto gap_start = static_cast<std::size_t>(rev.contents_offset - base);
            auto gap_end = static_cast<std::size_t>(rev.contents_end - base);
            hasher.update(bytes.data(), gap_start);
            hasher.update(bytes.data() + gap_end, bytes.size() - gap_end);
            crypto::TimestampToken token = crypto::request_timestamp_for_imprint(
                options_.tsa, options_.digest, hasher.finish());
            if (token.der.size() > kDocumentTimestampCapacity)
                throw remote_error("the document timestamp (" + std::to_string(token.der.size()) +
                                   " bytes) does not fit its placeholder")
                    .file(file.string());
            std::string patched = bytes;
            std::string hex = hex_encode(token.der, true);
            patched.replace(gap_start + 1, hex.size(), hex);
            append_bytes(file, base, patched);
            result.timestamp_added = true;
            result.timestamp_time = token.gen_time;
            if (result.level == Level::B_LT)
                result.level = Level::B_LTA;
        }
    } catch (...) {
        // Cut the file back: the caller keeps the file as it was before this call.
        if (::truncate(file.c_str(), static_cast<off_t>(original_size)) != 0)
            spdlog::warn("{}: could not cut the file back to {} bytes: {}", file.string(),
                         original_size, std::strerror(errno));
        throw;
    }
    return result;
}

} // namespace neac::sign
