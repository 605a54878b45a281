// Steps 1 and 2 of the signing pipeline: copying and hashing the input, appending the signature
// revision with its placeholder, and the signed attributes a provider signs; with the
// PreparedFile's JSON form and the placeholder size.
#include "neac/sign/pipeline.hpp"

#include "neac/crypto/random.hpp"
#include "neac/pdf/decode_guard.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "util/fd.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace neac::sign {
namespace {

// Room for an RFC 3161 token in the placeholder: TSA chains seen in Vietnam are 2-3 RSA
// certificates, so a token is 3-7 KB.
constexpr std::size_t kTimestampReserve = 12000;
constexpr std::size_t kCopyChunk = 1 << 20;
// Decoding limits while an input is read for signing (those of neac verify).

// Hashes the first `size` bytes of the input while a second thread copies them into `out`
// (in the kernel): the two passes overlap, so the copy costs little beyond the one hash.
// Returns the SHA-256 of those bytes (the input's content hash), taken from the same pass when
// the document digest is SHA-256.
Bytes copy_and_hash(const std::filesystem::path& input, std::uint64_t size, AtomicFile& out,
                    crypto::Hasher& hasher) {
    std::optional<crypto::Hasher> content;
    if (hasher.algorithm() != crypto::DigestAlgorithm::Sha256)
        content.emplace(crypto::DigestAlgorithm::Sha256);
    std::exception_ptr copy_error;
    {
        std::jthread copier([&] {
            try {
                out.append_file(input, size);
            } catch (...) {
                copy_error = std::current_exception();
            }
        });
        Fd in(::open(input.c_str(), O_RDONLY | O_CLOEXEC));
        if (in.get() < 0)
            throw input_error(std::string("cannot open: ") + std::strerror(errno))
                .file(input.string());
        ::posix_fadvise(in.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
        std::vector<char> buf(kCopyChunk);
        std::uint64_t hashed = 0;
        while (hashed < size) {
            std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - hashed));
            ssize_t n = ::read(in.get(), buf.data(), want);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw input_error(std::string("cannot read: ") + std::strerror(errno))
                    .file(input.string());
            if (n == 0)
                throw input_error("the file shrank while it was being signed").file(input.string());
            hasher.update(buf.data(), static_cast<std::size_t>(n));
            if (content)
                content->update(buf.data(), static_cast<std::size_t>(n));
            hashed += static_cast<std::uint64_t>(n);
        }
    } // joins the copier
    if (copy_error)
        std::rethrow_exception(copy_error);
    return content ? content->finish() : hasher.peek();
}

} // namespace

void to_json(nlohmann::json& j, const PreparedFile& p) {
    j = nlohmann::json{{"input", p.input},
                       {"output", p.output},
                       {"temp", p.temp},
                       {"contents_offset", p.contents_offset},
                       {"contents_capacity", p.contents_capacity},
                       {"byte_range", p.byte_range},
                       {"digest_algorithm", crypto::digest_name(p.digest)},
                       {"document_digest", hex_encode(p.document_digest)},
                       {"signed_attributes", base64_encode(p.signed_attributes)},
                       {"to_be_signed", hex_encode(p.to_be_signed)},
                       {"field", p.field_name},
                       {"page", p.page},
                       {"rect", {p.rect.x, p.rect.y, p.rect.w, p.rect.h}},
                       {"invisible", p.invisible},
                       {"input_size", p.input_size},
                       {"input_sha256", p.input_sha256},
                       {"placement", p.placement},
                       {"keyword", p.keyword},
                       {"fallback", p.fallback},
                       {"damage", p.damage},
                       {"may_replace", p.may_replace},
                       {"level", p.level}};
}

void from_json(const nlohmann::json& j, PreparedFile& p) {
    p.input = j.at("input").get<std::string>();
    p.output = j.at("output").get<std::string>();
    p.temp = j.at("temp").get<std::string>();
    p.contents_offset = j.at("contents_offset").get<std::uint64_t>();
    p.contents_capacity = j.at("contents_capacity").get<std::uint64_t>();
    p.byte_range = j.at("byte_range").get<std::array<std::uint64_t, 4>>();
    p.digest = crypto::parse_digest_algorithm(j.at("digest_algorithm").get<std::string>());
    p.document_digest = hex_decode(j.at("document_digest").get<std::string>());
    p.signed_attributes = base64_decode(j.at("signed_attributes").get<std::string>());
    p.to_be_signed = hex_decode(j.at("to_be_signed").get<std::string>());
    p.field_name = j.at("field").get<std::string>();
    p.placement = j.value("placement", std::string()); // these four are absent in older journals
    p.keyword = j.value("keyword", std::string());
    p.fallback = j.value("fallback", false);
    p.damage = j.value("damage", std::string());
    p.may_replace = j.value("may_replace", true);
    p.level = j.value("level", std::string());
    p.page = j.at("page").get<int>();
    auto r = j.at("rect").get<std::array<double, 4>>();
    p.rect = pdf::Rect{r[0], r[1], r[2], r[3]};
    p.invisible = j.at("invisible").get<bool>();
    p.input_size = j.at("input_size").get<std::uint64_t>();
    p.input_sha256 = j.value("input_sha256", "");
}

SignOptions options_for(const SignOptions& options, const FileOverrides& o) {
    if (o.empty())
        return options;
    SignOptions out = options;
    if (o.reason)
        out.reason = *o.reason;
    if (o.rect) {
        out.placement.rect = o.rect;
        out.placement.invisible = false;
        out.placement.existing_field.clear();
        out.locator.reset();
    } else if (!o.keywords.empty()) {
        if (!out.locator)
            out.locator.emplace(); // the default policy: below the keyword, 180x60
        out.locator->keywords = o.keywords;
        out.placement.rect.reset();
        out.placement.invisible = false;
        out.placement.existing_field.clear();
    }
    if (o.page > 0) {
        out.placement.page = o.page;
        if (out.locator)
            out.locator->page = o.page;
    }
    return out;
}

TemporaryNames temporary_names_for(const std::filesystem::path& output) {
    std::string stem =
        output.string() + ".neac-" + std::to_string(::getpid()) + "-" + crypto::random_hex(6);
    return TemporaryNames{stem + ".tmp", stem + ".repair.tmp"};
}

bool is_temporary_name(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    auto ends_with = [&](std::string_view tail) {
        return name.size() >= tail.size() &&
               name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (!ends_with(".tmp"))
        return false;
    name.resize(name.size() - 4);
    if (ends_with(".repair"))
        name.resize(name.size() - 7);
    auto marker = name.rfind(".neac-");
    if (marker == std::string::npos || marker == 0)
        return false;
    std::string_view rest = std::string_view(name).substr(marker + 6); // "<pid>-<12 hex>"
    auto dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos || rest.size() - dash - 1 != 12)
        return false;
    for (char c : rest.substr(0, dash))
        if (c < '0' || c > '9')
            return false;
    for (char c : rest.substr(dash + 1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::filesystem::path default_output_for(const std::filesystem::path& input) {
    std::filesystem::path out = input;
    std::string stem = input.stem().string();
    out.replace_filename(stem + ".signed.pdf");
    return out;
}

std::string pdf_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "D:%Y%m%d%H%M%S", &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    char zone[48];
    std::snprintf(zone, sizeof zone, "%c%02ld'%02ld'", sign, off / 60, off % 60);
    return std::string(buf) + zone;
}

std::size_t placeholder_size(const providers::SigningCertificate& cert, bool with_timestamp) {
    std::vector<crypto::Certificate> chain = crypto::order_chain(cert.certificate, cert.chain);
    return crypto::estimate_signed_data_size(chain, with_timestamp ? kTimestampReserve : 0);
}

namespace {

// The input as signing reads it (see prepare_file): the document, the repaired copy it was read
// from (removed with this object), and what was done about damage.
struct SigningInput {
    std::unique_ptr<pdf::Document> doc;
    std::unique_ptr<AtomicFile> repaired;
    std::string damage;
    std::uint64_t input_size = 0; // of the input itself, to notice a change before finishing
};

SigningInput open_for_signing(const FileJob& job) {
    SigningInput in;
    in.doc = pdf::Document::open(job.input, pdf::OpenMode::Lenient);
    in.input_size = in.doc->file_size();
    if (!in.doc->damaged())
        return in;
    std::string what;
    for (const std::string& d : in.doc->damage())
        what += (what.empty() ? "" : "; ") + d;
    if (in.doc->carries_signatures()) {
        if (!in.doc->appendable())
            throw input_error("damaged PDF with signatures (" + what +
                              "): a signature appended to it would leave a file that readers "
                              "must repair, and repairing it would break the earlier signatures")
                .file(job.input.string())
                .hint("ask the sender for an undamaged copy of the signed file");
        in.doc->accept_damage();
        in.damage = "damaged input (" + what + "): signed incrementally, earlier signatures kept";
    } else {
        // Beside the output, so that the copy into it stays on one file system.
        in.repaired = job.repair_temp.empty()
                          ? std::make_unique<AtomicFile>(job.output)
                          : std::make_unique<AtomicFile>(job.output, job.repair_temp, 0600);
        pdf::write_repaired_copy(*in.doc, in.repaired->temp_path());
        in.doc = pdf::Document::open(in.repaired->temp_path(), pdf::OpenMode::Lenient);
        if (in.doc->damaged())
            throw input_error("damaged PDF beyond repair: " + what +
                              "; the copy QPDF repairs is still damaged")
                .file(job.input.string())
                .hint("ask the sender for an undamaged copy");
        in.damage = "damaged input (" + what + "): signed a repaired copy; the input is unchanged";
    }
    spdlog::info("{}: {}", job.input.string(), in.damage);
    return in;
}

PreparedFile prepare_file_unguarded(const FileJob& job, const SignOptions& options,
                                    const providers::SigningCertificate& cert,
                                    std::size_t capacity) {
    SigningInput input = open_for_signing(job);
    std::unique_ptr<pdf::Document>& doc = input.doc;
    auto when = options.claimed_time.value_or(std::chrono::system_clock::now());
    std::string signer = cert.certificate.common_name();

    pdf::SignatureDictionary sig;
    sig.claimed_time = pdf_date(when);
    sig.name = signer;
    sig.reason = options.reason;
    sig.location = options.location;
    sig.contact_info = options.contact_info;
    sig.contents_capacity = capacity;
    // Keyword placement is resolved per file: each file has its own signature line.
    pdf::Placement placement = options.placement;
    int text_rotation = 0;
    place::SignaturePosition pos;
    if (options.locator) {
        pos = place::resolve_signature_position(*doc, *options.locator);
        placement.page = pos.page;
        placement.rect = pos.rect;
        text_rotation = pos.text_rotation;
    }
    // The appearance shows the same instant as /M (`when`, to the second, local time).
    pdf::AppearanceValues values;
    values.name = signer;
    values.organization = pdf::subject_attribute(cert.certificate.subject(), "O");
    values.reason = options.reason;
    values.location = options.location;
    crypto::Identity id = cert.certificate.identity();
    values.id_kind = id.kind;
    values.id_number = id.number;
    values.time = when;
    const std::vector<std::string>& templates = options.appearance.lines.empty()
                                                    ? pdf::default_appearance_lines()
                                                    : options.appearance.lines;
    pdf::PreparedRevision rev = pdf::prepare_signature_revision(
        *doc, placement, sig,
        pdf::signature_appearance(options.appearance, pdf::expand_lines(templates, values),
                                  options.appearance_image, text_rotation));

    struct stat st {};
    mode_t mode = ::stat(job.input.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0644;
    std::optional<AtomicFile> temp;
    if (job.temp.empty())
        temp.emplace(job.output, mode);
    else
        temp.emplace(job.output, job.temp, mode);
    AtomicFile& out = *temp;
    crypto::Hasher hasher(options.digest);
    Bytes input_sha256 = copy_and_hash(doc->path(), doc->file_size(), out, hasher);

    const std::string& bytes = rev.revision.bytes;
    std::size_t gap_start = static_cast<std::size_t>(rev.contents_offset - rev.revision.base);
    std::size_t gap_end = static_cast<std::size_t>(rev.contents_end - rev.revision.base);
    hasher.update(bytes.data(), gap_start);
    hasher.update(bytes.data() + gap_end, bytes.size() - gap_end);
    out.write(bytes);

    PreparedFile p;
    p.input = job.input.string();
    p.output = job.output.string();
    p.temp = out.temp_path().string();
    p.contents_offset = rev.contents_offset;
    p.contents_capacity = capacity;
    p.byte_range = rev.byte_range;
    p.digest = options.digest;
    p.document_digest = hasher.finish();
    p.signed_attributes =
        crypto::build_signed_attributes(p.document_digest, options.digest, cert.certificate);
    p.to_be_signed = crypto::digest(options.digest, p.signed_attributes);
    p.field_name = rev.field_name;
    p.page = rev.page;
    p.rect = rev.invisible ? pdf::Rect{} : rev.rect;
    if (!options.placement.existing_field.empty() && !rev.invisible)
        p.rect = rev.user_rect;
    p.invisible = rev.invisible;
    p.input_size = input.input_size;
    p.input_sha256 = hex_encode(input_sha256);
    p.placement = pos.note;
    p.keyword = pos.keyword;
    p.fallback = pos.fallback;
    p.damage = input.damage;
    p.may_replace = job.may_replace;
    if (options.level >= Level::B_LT)
        p.level = level_name(options.level);
    out.detach();
    spdlog::info("{}: prepared field {} on page {}, /Contents at {}", p.input, p.field_name, p.page,
                 p.contents_offset);
    return p;
}

} // namespace

PreparedFile prepare_file(const FileJob& job, const SignOptions& options,
                          const providers::SigningCertificate& cert, std::size_t capacity) {
    // The object and cross-reference streams QPDF inflates while reading the input are bounded:
    // a decompression bomb is bad input, not gigabytes of memory.
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kPageDecodeBytes);
    try {
        return prepare_file_unguarded(job, options, cert, capacity);
    } catch (const Error&) {
        // QPDF reports a stopped inflate as damage ("unable to find /Root"): say what it was.
        if (guard.tripped())
            throw input_error(guard.reason()).file(job.input.string());
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        if (guard.tripped())
            throw input_error(guard.reason()).file(job.input.string());
        // QPDF throws while resolving damaged objects lazily (loops in the page tree, bad
        // object streams): that is the input's fault, reported with the file's name.
        throw input_error(std::string("damaged PDF: ") + e.what())
            .file(job.input.string())
            .hint("repair it into a new file (e.g. qpdf in.pdf repaired.pdf), check it, then "
                  "sign that");
    }
}

} // namespace neac::sign
