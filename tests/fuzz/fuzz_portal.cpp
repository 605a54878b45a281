// Feeds one HTTP answer (optional "NNN" status line and header lines, then the body; see
// fuzz::http_answer) to the retry handling (Retry-After) and the portal client's reading of answers
// (lib/src/portal/answers.hpp, docs/portal-api.yaml): the status and error-envelope check every
// call makes (with and without the 409 upload-state exception), then each reader the calls use on
// what it returns: portal info, dossier (created or not), upload state, signing history, receipt.
// The portal is untrusted: anything but the contract must be Error(Remote). Seeds: the answers of
// tests/sim/portal_sim.cpp (tests/fuzz/seeds/fuzz_portal), and tests/fuzz/json.dict for the field
// names.
#include "harness.hpp"

#include "portal/answers.hpp"

using namespace neac;
using namespace neac::portal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::HttpResponse answer = fuzz::http_answer(fuzz::bytes_of(data, size));
    fuzz::retry_handling(answer); // the client's perform_with_retry reads this first
    static const net::Redactor redactor = [] {
        net::Redactor r;
        r.add("fuzz-portal-token-0001");
        return r;
    }();
    for (bool conflict_is_state : {false, true}) {
        fuzz::refused_ok([&] {
            nlohmann::json j =
                answers::checked_answer(answer, "fuzzing", conflict_is_state, redactor);
            fuzz::refused_ok([&] { (void)answers::info_from(j); });
            fuzz::refused_ok([&] { (void)answers::dossier_from(j, answer.status); });
            fuzz::refused_ok([&] { (void)answers::upload_from(j); });
            fuzz::refused_ok([&] { (void)answers::history_from(j); });
            fuzz::refused_ok([&] { (void)receipt_to_json(receipt_from_json(j)).dump(); });
        });
    }
    return 0;
}
