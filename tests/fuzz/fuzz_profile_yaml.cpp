// Feeds a signature profile (neac-profile(5), the YAML that `neac profile add` writes and people
// edit by hand) to parse_profile(), the reader every command uses: UTF-8 check, the plain-YAML
// guard (anchors, aliases, nesting, node count), yaml-cpp, the strict key reader and every value
// validator (phone, CCCD/CMND, provider settings, locator, appearance, secrets refused).
//
// A profile that is accepted must also survive the documented round trip
// parse_profile(to_yaml(p), p.source) == p, since `neac profile` rewrites files with to_yaml(): a
// difference, or a refusal of neac's own output, is a finding (the harness aborts and prints
// both texts). The rendered forms (`profile show`, --json) are made too.
//
// Seeds: profiles/*.yaml and the profile texts of the tests (tests/fuzz/seeds/fuzz_profile_yaml);
// tests/fuzz/yaml.dict holds the profile keys and YAML punctuation.
#include "harness.hpp"

#include "neac/profile/profile.hpp"
#include "neac/profile/render.hpp"

#include <cstdlib>
#include <iostream>

using namespace neac;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Relative paths in the profile (image:, pkcs12:, ...) resolve against this file's folder.
    static const std::string file = (fuzz::scratch() / "fuzz-profile.yaml").string();
    std::string text = fuzz::bytes_of(data, size);
    std::optional<profile::Profile> p;
    fuzz::refused_ok([&] { p = profile::parse_profile(text, file); });
    if (!p)
        return 0;
    (void)profile::profile_to_json(*p).dump();
    (void)profile::describe_profile(*p);

    std::string again = profile::to_yaml(*p);
    try {
        profile::Profile q = profile::parse_profile(again, p->source.string());
        if (q == *p)
            return 0;
        std::cerr << "fuzz_profile_yaml: the profile changed in the to_yaml round trip\n";
    } catch (const Error& e) {
        std::cerr << "fuzz_profile_yaml: neac refuses its own to_yaml output: " << e.describe()
                  << "\n";
    }
    std::cerr << "--- input ---\n" << text << "\n--- to_yaml ---\n" << again << "\n";
    std::abort();
}
