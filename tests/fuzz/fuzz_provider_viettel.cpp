// Feeds one HTTP answer (optional "NNN" status line and header lines, then the body; see
// fuzz::http_answer) to everything in neac that reads Viettel MySign's answers:
//   - the parsers on the JSON as the adapter parses it: viettel::parse_login,
//     parse_certificates, parse_sign_response and parse_status_response;
//   - the adapter itself, every request answered with the input: login (token, expiry),
//     certificate listing and choice, submit then poll, and a poll of a pending transaction
//     (Viettel's numeric error objects, the login again after a 401, signature checks).
// Seeds: the shapes of tests/sim/provider_sim.cpp (tests/fuzz/seeds/fuzz_provider_viettel), and
// tests/fuzz/json.dict for the field names.
#include "provider_harness.hpp"

#include "neac/providers/viettel_mysign.hpp"
#include "neac/util/json.hpp"

using namespace neac;
using namespace neac::providers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::HttpResponse answer = fuzz::http_answer(fuzz::bytes_of(data, size));

    nlohmann::json j = parse_untrusted_json(answer.body);
    if (!j.is_discarded()) {
        fuzz::refused_ok([&] { (void)viettel::parse_login(j); });
        fuzz::refused_ok([&] { (void)viettel::parse_certificates(j); });
        fuzz::refused_ok([&] { (void)viettel::parse_sign_response(j); });
        fuzz::refused_ok([&] { (void)viettel::parse_status_response(j); });
    }

    static const ProviderConfig config =
        fuzz::remote_config("viettel-mysign", {{"client-id-env", "NEAC_FUZZ_SECRET_A"},
                                               {"client-secret-env", "NEAC_FUZZ_SECRET_B"}});
    Transaction pending = fuzz::pending_transaction("vt-txn-0001");
    pending.state["credential_id"] = "cred-0001";
    fuzz::drive_provider<ViettelMySignProvider>(config, answer, {pending});
    return 0;
}
