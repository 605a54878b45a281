// Feeds one HTTP answer (optional "NNN" status line and header lines, then the body; see
// fuzz::http_answer) to everything in neac that reads VNPT SmartCA's answers (the NEAC 769 API):
//   - the parsers on the JSON as the adapter parses it: vnpt::parse_certificates,
//     parse_sign_response and parse_status_response (with and without document ids);
//   - the adapter itself, every request answered with the input: certificate listing and choice,
//     submit then poll, and a poll of a pending transaction (status, error envelopes, the retry
//     with tran_code on "not found", signature checks against the certificate).
// Seeds: the shapes of tests/sim/provider_sim.cpp (tests/fuzz/seeds/fuzz_provider_vnpt), and
// tests/fuzz/json.dict for the field names.
#include "provider_harness.hpp"

#include "neac/providers/vnpt_smartca.hpp"
#include "neac/util/json.hpp"

using namespace neac;
using namespace neac::providers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::HttpResponse answer = fuzz::http_answer(fuzz::bytes_of(data, size));
    const fuzz::SignerFixture& f = fuzz::signer_fixture();
    const std::vector<std::string> doc_ids = vnpt::document_ids(f.batch);

    nlohmann::json j = parse_untrusted_json(answer.body);
    if (!j.is_discarded()) {
        fuzz::refused_ok([&] { (void)vnpt::parse_certificates(j); });
        fuzz::refused_ok([&] { (void)vnpt::parse_sign_response(j, doc_ids); });
        fuzz::refused_ok([&] { (void)vnpt::parse_status_response(j, doc_ids); });
        fuzz::refused_ok([&] { (void)vnpt::parse_status_response(j, {}); });
    }

    static const ProviderConfig config =
        fuzz::remote_config("vnpt-smartca", {{"sp-id-env", "NEAC_FUZZ_SECRET_A"},
                                             {"sp-password-env", "NEAC_FUZZ_SECRET_B"}});
    Transaction pending = fuzz::pending_transaction("NEAC-TXN-1");
    pending.state["doc_ids"] = doc_ids;
    pending.state["tran_code"] = "TC-0001";
    pending.state["status_id"] = pending.id;
    fuzz::drive_provider<VnptSmartCaProvider>(config, answer, {pending});
    return 0;
}
