#include "neac/verify/verify.hpp"

#include "neac/pdf/decode_guard.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "verify/verifier.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace neac::verify::detail {

VerifyReport FileVerifier::run() {
    auto start = std::chrono::steady_clock::now();
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kVerifyDecodeBytes);
    try {
        check();
    } catch (const Error& e) {
        bad_input(e.describe());
    } catch (const QPDFExc& e) {
        bad_input(guard.tripped() ? guard.reason() : describe_qpdf(e));
    } catch (const std::bad_alloc&) {
        bad_input("out of memory while reading the file");
    } catch (const std::exception& e) {
        bad_input(guard.tripped() ? guard.reason() : std::string("cannot read PDF: ") + e.what());
    }
    if (report_.status == FileStatus::BadInput && guard.tripped() &&
        report_.error.find(guard.reason()) == std::string::npos)
        report_.error = guard.reason() + " (" + report_.error + ")";
    report_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(report_);
}

std::string FileVerifier::describe_qpdf(const QPDFExc& e) {
    std::string msg = e.getMessageDetail();
    if (e.getFilePosition() > 0)
        msg += " (offset " + std::to_string(e.getFilePosition()) + ")";
    if (!e.getObject().empty())
        msg += " (" + e.getObject() + ")";
    return "damaged PDF: " + msg;
}

void FileVerifier::bad_input(const std::string& why) {
    report_.status = FileStatus::BadInput;
    report_.error = why;
    report_.indication = Indication::Indeterminate;
    report_.summary = "unreadable: " + why;
}

void FileVerifier::check() {
    file_ = std::make_shared<pdf::FileHandle>(report_.file);
    report_.size = static_cast<std::int64_t>(file_->size());
    if (file_->read_string(0, 1024).find("%PDF-") == std::string::npos)
        throw input_error("not a PDF file (no %PDF- header)");
    std::string rev_problem;
    revisions_ = pdf::find_revisions(*file_, rev_problem);
    if (!rev_problem.empty())
        warnings_.push_back("revision structure: " + rev_problem);
    open_final();
    QPDF& q = *final_.qpdf;

    pdf::FieldScan scan = pdf::scan_fields(q);
    if (scan.signatures.size() > limits::kSignaturesPerFile)
        throw input_error("the file has " + std::to_string(scan.signatures.size()) +
                          " signature fields with a value; neac checks at most " +
                          std::to_string(limits::kSignaturesPerFile));
    report_.empty_fields = scan.empty;
    all_field_names_ = pdf::field_names(q);
    report_.docmdp = pdf::docmdp_permission(q);
    load_dss(q);

    // One signature dictionary may be the value of several fields (odd, but valid): it is one
    // signature, listed once, with every field that shows it.
    std::map<QPDFObjGen, std::size_t> by_dictionary;
    for (const auto& f : scan.signatures) {
        if (f.value.isIndirect()) {
            auto [it, fresh] = by_dictionary.emplace(f.value.getObjGen(), work_.size());
            if (!fresh) {
                work_[it->second].other_fields.push_back(f.name);
                continue;
            }
        }
        SigWork w;
        w.field = f;
        w.r.index = static_cast<int>(work_.size()) + 1;
        w.r.field = f.name;
        work_.push_back(std::move(w));
    }
    for (SigWork& w : work_) {
        integrity(w);
        for (const std::string& other : w.other_fields)
            w.r.warnings.push_back("the same signature is also the value of field " + other);
    }
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
    for (SigWork& w : work_)
        level(w);
    for (SigWork& w : work_) {
        decide(w);
        report_.signatures.push_back(std::move(w.r));
    }
    note_pdf_warnings("", pdf::warning_lines(q));
    trailing_bytes();
    bottom_line();
}

// The whole file, as a viewer sees it: through its own cross-reference chain when QPDF can
// follow it (its warnings are findings), else as QPDF reconstructs it. Signatures are found in
// that view, but each one's integrity and the revision it signed come from the raw bytes, and a
// revision that cannot be read makes the changes after a signature unknown: a verdict, not bad
// input. Only a file QPDF cannot open at all, or cannot decrypt, is bad input.
void FileVerifier::open_final() {
    final_.info.number = static_cast<int>(revisions_.size()) + 1;
    final_.info.end = file_->size();
    auto password_problem = [](const QPDFExc& e) { return e.getErrorCode() == qpdf_e_password; };
    try {
        final_.qpdf = pdf::open_revision(file_, file_->size());
    } catch (const QPDFExc& e) {
        if (password_problem(e))
            throw input_error("the file is encrypted with a user password: it cannot be read "
                              "without it");
        // With no revision found through startxref (a file cut short, say) there is nothing
        // whose signatures could be judged: that is bad input, not a reconstruction.
        if (revisions_.empty())
            throw input_error("no revision of the file can be read (" + describe_qpdf(e) + ")");
        try {
            final_.qpdf = pdf::open_repaired(file_, file_->size());
        } catch (const QPDFExc& again) {
            if (password_problem(again))
                throw input_error("the file is encrypted with a user password: it cannot be "
                                  "read without it");
            throw;
        }
        warnings_.push_back("the cross-reference structure is damaged (" + describe_qpdf(e) +
                            "); the objects were found by reconstructing it");
    }
    QPDF& q = *final_.qpdf;
    if (q.isEncrypted()) {
        int r = 0, p = 0, v = 0;
        QPDF::encryption_method_e stream = QPDF::e_none, string = QPDF::e_none, file = QPDF::e_none;
        q.isEncrypted(r, p, v, stream, string, file);
        warnings_.push_back("the file is encrypted (revision " + std::to_string(r) +
                            ") and opens with an empty user password: verified as decrypted");
    }
    final_.xref = q.getXRefTable();
    note_pdf_warnings("", pdf::warning_lines(q));
    if (!revisions_.empty() && revisions_.back().end == file_->size())
        final_.info = revisions_.back();
}

// Bytes after the last revision belong to no revision and are signed by nobody. Padding is a
// warning; objects there are what a reader that reconstructs the file would show (a file cut
// short, or content appended outside any revision), which fails the file.
void FileVerifier::trailing_bytes() {
    if (revisions_.empty() || revisions_.back().end >= file_->size())
        return;
    std::uint64_t from = revisions_.back().end;
    std::uint64_t count = file_->size() - from;
    std::string head = file_->read_string(
        from, static_cast<std::size_t>(std::min<std::uint64_t>(count, 1u << 20)));
    if (head.find(" obj") != std::string::npos || head.find("xref") != std::string::npos) {
        report_.problems.push_back(std::to_string(count) +
                                   " bytes after the last revision hold "
                                   "PDF objects that no cross-reference section describes (a file "
                                   "cut short, or content appended outside any revision)");
        return;
    }
    warnings_.push_back(std::to_string(count) +
                        " bytes after the last revision belong to no revision and are signed by "
                        "nobody");
}

// QPDF's warnings are findings: listed once each, never a verdict by themselves.
void FileVerifier::note_pdf_warnings(const std::string& where,
                                     const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
        std::string text = "PDF structure" + where + ": " + line;
        if (std::find(warnings_.begin(), warnings_.end(), text) == warnings_.end() &&
            warnings_.size() < 32)
            warnings_.push_back(text);
    }
}

void FileVerifier::load_dss(QPDF& q) {
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
    report_.dss.present = true;
    report_.dss.certificates = certs.size();
    report_.dss.ocsp_responses = dss_revocation_.ocsp_responses.size();
    report_.dss.crls = dss_revocation_.crls.size();
    if (QPDFObjectHandle vri = dss.getKey("/VRI"); vri.isDictionary())
        report_.dss.vri = vri.getKeys().size();
    for (const Bytes& c : certs) {
        try {
            dss_certs_.push_back(crypto::Certificate::from_der(c));
        } catch (const Error&) {
            warnings_.push_back("malformed certificate in the DSS (ignored)");
        }
    }
}

} // namespace neac::verify::detail

namespace neac::verify {

using detail::Context;
using detail::FileVerifier;
using detail::make_context;

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
