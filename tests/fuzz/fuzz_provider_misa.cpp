// Feeds one HTTP answer (optional "NNN" status line and header lines, then the body; see
// fuzz::http_answer) to everything in neac that reads MISA eSign's answers:
//   - the parsers on the JSON as the adapter parses it: misa::parse_login, parse_certificates,
//     parse_sign_response and parse_status_response (with and without document ids);
//   - the adapter itself, every request answered with the input: login (two-factor step with a
//     code given, session tokens and expiry, refresh), certificate listing and choice, submit then
//     poll, and a poll of a pending transaction (MISA's error envelopes, signature checks).
// Seeds: the shapes of tests/sim/provider_sim.cpp (tests/fuzz/seeds/fuzz_provider_misa), and
// tests/fuzz/json.dict for the field names.
#include "provider_harness.hpp"

#include "neac/providers/misa_esign.hpp"
#include "neac/util/json.hpp"

using namespace neac;
using namespace neac::providers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::HttpResponse answer = fuzz::http_answer(fuzz::bytes_of(data, size));
    const std::vector<std::string> ids{"doc-0001-1", "doc-0001-2"};

    nlohmann::json j = parse_untrusted_json(answer.body);
    if (!j.is_discarded()) {
        fuzz::refused_ok([&] { (void)misa::parse_login(j); });
        fuzz::refused_ok([&] { (void)misa::parse_certificates(j); });
        fuzz::refused_ok([&] { (void)misa::parse_sign_response(j); });
        fuzz::refused_ok([&] { (void)misa::parse_status_response(j, ids); });
        fuzz::refused_ok([&] { (void)misa::parse_status_response(j, {}); });
    }

    static const ProviderConfig config =
        fuzz::remote_config("misa-esign", {{"username-env", "NEAC_FUZZ_SECRET_A"},
                                           {"password-env", "NEAC_FUZZ_SECRET_B"},
                                           {"client-id-env", "NEAC_FUZZ_SECRET_A"},
                                           {"client-secret-env", "NEAC_FUZZ_SECRET_B"}});
    Transaction pending = fuzz::pending_transaction("misa-txn-0001");
    pending.state["document_ids"] = ids;
    fuzz::drive_provider<MisaESignProvider>(config, answer, {pending});
    return 0;
}
