// Feeds a dossier manifest (neac-dossier(5), the YAML `neac submit` reads) to load_manifest():
// size bound, UTF-8, the plain-YAML guard, yaml-cpp, the strict key reader, applicant fields
// (CCCD/CMND, phone), sizes ("20MB"), the verify policy, the form (YAML turned into JSON for the
// portal), components and their paths (never absolute, never leaving the manifest's folder, also
// through symbolic links). The manifest is written to a scratch folder because load_manifest
// reads a file and resolves paths against its folder; the components it names need not exist
// (check_components opens them, later).
//
// Seeds: examples/dossier.yaml and the manifests of the tests (tests/fuzz/seeds/
// fuzz_manifest_yaml); tests/fuzz/yaml.dict holds the manifest keys and YAML punctuation.
#include "harness.hpp"

#include "neac/portal/manifest.hpp"

using namespace neac;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::filesystem::path file =
        fuzz::write_scratch("dossier.yaml", {reinterpret_cast<const char*>(data), size});
    fuzz::refused_ok([&] {
        portal::Manifest m = portal::load_manifest(file);
        (void)m.form.dump();
    });
    return 0;
}
