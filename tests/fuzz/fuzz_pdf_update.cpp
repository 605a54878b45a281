// The structure-keeping PDF target: the fuzz input is the body of one incremental update (a
// series of "N G obj ... endobj" objects, as a later editor of a signed file would append), and
// the harness appends it to a fixed, valid, signed base PDF and writes a correct cross-reference
// section for it (one entry per object header it finds at the start of a line, /Prev to the base's
// section, /Root, /Size, /Info). Mutations therefore land inside the objects of a revision made
// after the signature, with xref, trailer and the signature's bytes intact, which is exactly what
// the change analysis of `neac verify` judges (allowed, allowed with a warning, forbidden); random
// mutations of a whole file (fuzz_verify) mostly die at parsing instead.
//
// The base is made once at start-up with the library itself: a one-page form (text field, empty
// signature field "Sig2", link annotation, indirect AcroForm, /Info) built by PdfBuilder, then
// signed visibly through the signing pipeline with the embedded sandbox provider (a private neac
// home in the scratch folder; no network). Its objects, which the checked-in seeds
// (tests/fuzz/seeds/fuzz_pdf_update/) rewrite, are:
//   1 catalog   2 pages   3 page   4 page content   5 font /F1   6 text field "HoTen"
//   7 empty signature field "Sig2"   8 AcroForm font /Helv   9 AcroForm   10 link annotation
//   11 /Info    12.. added by the signature (field, signature dictionary, appearance, ...)
// Directives in comment lines adjust the trailer: "%free N" marks object N free, "%root N" makes
// object N the catalog. The file is verified with the sandbox root as trust anchor, offline.
#include "harness.hpp"
#include "support/pdf_builder.hpp"

#include "neac/providers/provider.hpp"
#include "neac/providers/sandbox.hpp"
#include "neac/sign/pipeline.hpp"
#include "neac/verify/render.hpp"
#include "neac/verify/verify.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

using namespace neac;

namespace {

// ISO 32000-1 Annex C: the largest object number; headers beyond it get no xref entry.
constexpr long long kMaxObject = 8388607;

struct Base {
    std::string bytes;
    long long size = 0;     // the /Size of its last trailer
    std::uint64_t xref = 0; // offset of its last cross-reference section
    std::filesystem::path trust;
};

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

[[noreturn]] void setup_failed(const std::string& why) {
    std::cerr << "fuzz_pdf_update: cannot make the signed base PDF: " << why << "\n";
    std::abort();
}

Base make_base() {
    using testing::PdfBuilder;
    std::string content = "BT /F1 16 Tf 72 760 Td (DON DE NGHI) Tj ET\n"
                          "BT /F1 11 Tf 72 700 Td (Ho va ten:) Tj ET\n"
                          "BT /F1 11 Tf 360 140 Td (Nguoi lam don) Tj ET\n";
    PdfBuilder::Objects objects{
        {1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R /Lang (vi-VN) >>"},
        {2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"},
        {3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 "
            "0 R >> >> /Contents 4 0 R /Annots [6 0 R 7 0 R 10 0 R] >>"},
        {4, PdfBuilder::stream("", content)},
        {5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"},
        {6, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V (Nguyen Van A) /F 4 /Rect "
            "[150 690 400 710] /P 3 0 R /DA (/Helv 11 Tf 0 g) >>"},
        {7, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /F 4 /Rect [72 60 252 120] /P 3 "
            "0 R >>"},
        {8, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"},
        {9, "<< /Fields [6 0 R 7 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 8 0 R >> >> >>"},
        {10, "<< /Type /Annot /Subtype /Link /Rect [72 40 300 52] /Border [0 0 0] /A << /S /URI "
             "/URI (https://dichvucong.gov.vn/) >> >>"},
        {11, "<< /Producer (neac fuzz base) /Title (Don de nghi) >>"},
    };
    PdfBuilder unsigned_pdf(objects, 1, "/Info 11 0 R");
    std::filesystem::path in = fuzz::scratch() / "base-unsigned.pdf";
    std::filesystem::path out = fuzz::scratch() / "base-signed.pdf";
    unsigned_pdf.write(in);

    providers::ProviderConfig config;
    config.provider = "sandbox";
    config.account = "001099012345";
    config.display_name = "NGUYỄN VĂN A";
    config.settings = {{"approval-delay", "0"}};
    config.home = fuzz::scratch() / "home";
    std::filesystem::create_directories(config.home);
    auto provider = providers::make_provider(config);
    providers::SigningCertificate cert = provider->signing_certificate();

    sign::SignOptions options;
    options.placement.page = 1;
    options.placement.rect = pdf::Rect{340, 60, 180, 60};
    options.reason = "Nộp hồ sơ";
    options.claimed_time = std::chrono::system_clock::from_time_t(1795000000);
    sign::PreparedFile prepared =
        sign::prepare_file({in, out}, options, cert, sign::placeholder_size(cert, false));
    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate), prepared.digest};
    providers::SignBatch batch{alg, {{"base.pdf", prepared.to_be_signed}}, "fuzz base"};
    providers::Transaction txn = provider->submit(batch);
    providers::PollResult poll = provider->poll(txn);
    if (poll.state != providers::TransactionState::Approved || poll.signatures.size() != 1)
        setup_failed("the sandbox did not approve");
    sign::finish_file(prepared, alg, poll.signatures[0], cert, options);

    Base b;
    b.bytes = read_all(out);
    b.trust = providers::sandbox_root_certificate(config.home);
    std::size_t sx = b.bytes.rfind("startxref");
    std::size_t size_at = b.bytes.rfind("/Size");
    if (sx == std::string::npos || size_at == std::string::npos)
        setup_failed("no startxref or /Size in the signed file");
    b.xref = std::strtoull(b.bytes.c_str() + sx + 9, nullptr, 10);
    b.size = std::strtoll(b.bytes.c_str() + size_at + 5, nullptr, 10);
    if (b.bytes.back() != '\n')
        b.bytes += '\n';

    // The base itself must pass, or the target would be exploring a broken file.
    verify::Policy policy;
    policy.trust = {b.trust};
    verify::VerifyReport r = verify::verify_file(out, policy);
    if (r.indication != verify::Indication::Passed)
        setup_failed("the signed base does not verify: " + r.summary);
    return b;
}

const Base& base() {
    static const Base b = [] {
        try {
            return make_base();
        } catch (const std::exception& e) {
            setup_failed(e.what());
        }
    }();
    return b;
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads "N G obj" at `p` (after optional blanks); returns false if the line is not a header.
bool object_header(const std::string& s, std::size_t p, long long& num, int& gen) {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t'))
        ++p;
    std::size_t start = p;
    while (p < s.size() && digit(s[p]) && p - start < 10)
        ++p;
    if (p == start || p >= s.size() || s[p] != ' ')
        return false;
    num = std::strtoll(s.c_str() + start, nullptr, 10);
    std::size_t g = ++p;
    while (p < s.size() && digit(s[p]) && p - g < 5)
        ++p;
    if (p == g || s.compare(p, 4, " obj") != 0)
        return false;
    gen = static_cast<int>(std::strtol(s.c_str() + g, nullptr, 10));
    return num > 0 && num <= kMaxObject && gen <= 65535;
}

// The whole file: base, the fuzzed body, and a cross-reference section and trailer for it.
std::string build_file(const Base& b, const std::string& body) {
    std::string file = b.bytes;
    std::size_t body_at = file.size();
    file += body;
    if (file.back() != '\n')
        file += '\n';

    struct Entry {
        std::uint64_t offset = 0;
        int gen = 0;
        bool free = false;
    };
    std::map<long long, Entry> entries;
    long long root = 1;
    for (std::size_t line = 0; line < body.size();) {
        std::size_t end = body.find_first_of("\r\n", line);
        if (end == std::string::npos)
            end = body.size();
        long long num = 0;
        int gen = 0;
        if (object_header(body, line, num, gen)) {
            entries[num] = Entry{body_at + line, gen, false};
        } else if (body.compare(line, 6, "%free ") == 0 || body.compare(line, 6, "%root ") == 0) {
            long long n = std::strtoll(body.c_str() + line + 6, nullptr, 10);
            if (n > 0 && n <= kMaxObject) {
                if (body[line + 1] == 'f')
                    entries[n] = Entry{0, 0, true};
                else
                    root = n;
            }
        }
        line = end + 1;
    }

    std::uint64_t xref_at = file.size();
    // Object 0 heads the free list in every section, so even an empty body gives a valid table.
    file += "xref\n0 1\n0000000000 65535 f\r\n";
    char row[32];
    for (auto it = entries.begin(); it != entries.end();) {
        // One subsection per run of consecutive numbers.
        auto run_end = it;
        long long count = 0;
        while (run_end != entries.end() && run_end->first == it->first + count) {
            ++run_end;
            ++count;
        }
        file += std::to_string(it->first) + " " + std::to_string(count) + "\n";
        for (; it != run_end; ++it) {
            if (it->second.free)
                std::snprintf(row, sizeof row, "0000000000 00001 f\r\n");
            else
                std::snprintf(row, sizeof row, "%010llu %05d n\r\n",
                              static_cast<unsigned long long>(it->second.offset), it->second.gen);
            file += row;
        }
    }
    long long size = std::max(b.size, entries.empty() ? 0 : entries.rbegin()->first + 1);
    file += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(root) +
            " 0 R /Info 11 0 R /Prev " + std::to_string(b.xref) + " >>\nstartxref\n" +
            std::to_string(xref_at) + "\n%%EOF\n";
    return file;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    base(); // made before the first input, so its cost is not counted against -timeout
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Base& b = base();
    static const verify::Policy policy = [&] {
        verify::Policy p;
        p.trust = {b.trust};
        p.online = false; // never fetch: a fuzz target must not touch the network
        return p;
    }();
    std::filesystem::path file =
        fuzz::write_scratch("updated.pdf", build_file(b, fuzz::bytes_of(data, size)));
    fuzz::refused_ok([&] {
        std::vector<verify::VerifyReport> reports{verify::verify_file(file, policy)};
        // As Console::print_json writes it: names from a PDF need not be UTF-8.
        (void)verify::to_json(reports, verify::exit_code_for(reports))
            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        verify::TextStyle style;
        style.verbose = true;
        (void)verify::render_text(reports[0], style);
    });
    return 0;
}
