// Feeds a whole PDF file to the verifier exactly as `neac verify FILE` runs it
// (verify::verify_file with the default, offline CI policy: no OCSP/CRL fetch, no network): the
// revision reader following startxref and /Prev, QPDF's view of each revision, the signature
// fields, /ByteRange and /Contents integrity, CMS parsing, the change analysis between the signed
// revision and every later one, DocMDP, chain building; then the report is rendered as text,
// JSON and JUnit, as the command prints it (names from certificates are untrusted text too).
//
// The input is the file itself, written to a scratch file because the verifier reads by pread()
// from a path. Random bytes rarely get past the header, so the seeds are signed PDFs (made by
// scripts/fuzz with neac and the sandbox CA, plus ../shared/corpus), and tests/fuzz/pdf.dict
// gives the mutator PDF tokens. fuzz_pdf_update is the structure-keeping variant.
#include "harness.hpp"

#include "neac/verify/render.hpp"
#include "neac/verify/verify.hpp"

using namespace neac;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const verify::Policy policy = [] {
        verify::Policy p;
        p.online = false; // never fetch: a fuzz target must not touch the network
        return p;
    }();
    std::filesystem::path file =
        fuzz::write_scratch("input.pdf", {reinterpret_cast<const char*>(data), size});
    fuzz::refused_ok([&] {
        std::vector<verify::VerifyReport> reports{verify::verify_file(file, policy)};
        int code = verify::exit_code_for(reports);
        // As Console::print_json writes it: names from a PDF need not be UTF-8.
        (void)verify::to_json(reports, code)
            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        verify::TextStyle style;
        style.verbose = true;
        (void)verify::render_text(reports[0], style);
        (void)verify::render_junit(reports);
    });
    return 0;
}
