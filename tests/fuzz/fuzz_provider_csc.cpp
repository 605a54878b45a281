// Feeds one HTTP answer (optional "NNN" status line and header lines, then the body; see
// fuzz::http_answer) to everything in neac that reads a Cloud Signature Consortium v2 service's
// answers:
//   - the parsers on the JSON as the adapter parses it: csc::parse_info, parse_list,
//     parse_credential_info, parse_sign_hash and classify_error (for the statuses the adapter
//     passes it);
//   - the adapter itself, every request answered with the input: info, credentials/list and
//     /info with certificate choice, submit (authorize, then signHash with the SAD) then poll,
//     and polls of pending transactions in the "authorize" and "sign" phases.
// Seeds: the shapes of tests/sim/provider_sim.cpp (tests/fuzz/seeds/fuzz_provider_csc), and
// tests/fuzz/json.dict for the field names.
#include "provider_harness.hpp"

#include "neac/providers/csc.hpp"
#include "neac/util/json.hpp"

using namespace neac;
using namespace neac::providers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::HttpResponse answer = fuzz::http_answer(fuzz::bytes_of(data, size));

    nlohmann::json j = parse_untrusted_json(answer.body);
    if (!j.is_discarded()) {
        fuzz::refused_ok([&] { (void)csc::parse_info(j); });
        fuzz::refused_ok([&] { (void)csc::parse_list(j); });
        fuzz::refused_ok([&] { (void)csc::parse_credential_info(j, "cred-0001"); });
        fuzz::refused_ok([&] { (void)csc::parse_sign_hash(j); });
        for (long status : {202L, 400L, 403L, 404L, answer.status})
            fuzz::refused_ok([&] { (void)csc::classify_error(status, j); });
    }

    static const ProviderConfig config =
        fuzz::remote_config("csc", {{"token-env", "NEAC_FUZZ_SECRET_A"}});
    // Asynchronous signing waits in two phases: the authorisation, then the signature.
    std::vector<Transaction> pending;
    for (const char* phase : {"authorize", "sign"}) {
        Transaction txn = fuzz::pending_transaction("csc-txn-0001");
        txn.state["credential_id"] = "cred-0001";
        txn.state["sign_algo"] = "1.2.840.113549.1.1.11";
        txn.state["hash_algo"] = "";
        txn.state["asynchronous"] = true;
        txn.state["phase"] = phase;
        txn.state["handle"] = "handle-0001";
        txn.state["response_id"] = "resp-0001";
        pending.push_back(std::move(txn));
    }
    fuzz::drive_provider<CscProvider>(config, answer, pending);
    return 0;
}
