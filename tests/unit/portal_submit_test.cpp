// check_dossier() and submit_dossier() against an in-memory portal: checks refuse before anything
// is sent, a re-run finds the same dossier and uploads only what the portal lacks.
#include "neac/portal/submit.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>
#include <map>

namespace {

using namespace neac;
using namespace neac::testing;
namespace fs = std::filesystem;

// The portal API's semantics in memory (the HTTP simulator is tests/sim/portal_sim.cpp).
class FakePortal : public portal::PortalClient {
public:
    portal::PortalInfo limits{"fake", 0, {"pdf", "doc", "docx"}, 1024};
    std::map<std::string, portal::Dossier> by_key;
    std::map<std::string, std::string> content; // code -> bytes received
    int creates = 0, chunks = 0, submits = 0;
    int skew_next_chunk = 0; // answer the next chunk with an offset this much further on

    portal::PortalInfo info() override { return limits; }
    portal::Dossier create_dossier(const std::string& key,
                                   const portal::DossierRequest& request) override {
        ++creates;
        auto it = by_key.find(key);
        if (it != by_key.end()) {
            it->second.created = false;
            return it->second;
        }
        portal::Dossier d;
        d.id = "d-" + std::to_string(by_key.size() + 1);
        d.status = "draft";
        d.created = true;
        for (const auto& c : request.components)
            d.uploads.push_back({c.code, c.size, 0, false});
        by_key[key] = d;
        return d;
    }
    portal::UploadState upload_state(const std::string& id, const std::string& code) override {
        return find(id).uploads.at(index(find(id), code));
    }
    portal::UploadState upload_chunk(const std::string& id, const std::string& code,
                                     std::int64_t offset, const std::string& chunk) override {
        ++chunks;
        portal::Dossier& d = find(id);
        portal::UploadState& u = d.uploads.at(index(d, code));
        if (offset != u.received_bytes)
            return u;
        if (skew_next_chunk) {
            // Another client got there first: the portal already holds more.
            content[code] += chunk.substr(0, static_cast<std::size_t>(skew_next_chunk));
            u.received_bytes += skew_next_chunk;
            skew_next_chunk = 0;
            return u;
        }
        content[code] += chunk;
        u.received_bytes += static_cast<std::int64_t>(chunk.size());
        u.complete = u.received_bytes == u.size;
        return u;
    }
    portal::Dossier submit(const std::string& id) override {
        ++submits;
        portal::Dossier& d = find(id);
        for (const auto& u : d.uploads)
            if (!u.complete)
                throw remote_error("incomplete " + u.code);
        d.status = "submitted";
        d.receipt.dossier_code = "H40.22-261126-0001";
        return d;
    }
    portal::Dossier status(const std::string& id) override { return find(id); }
    portal::DossierHistory history(const std::string&) override { return {}; }

private:
    portal::Dossier& find(const std::string& id) {
        for (auto& [key, d] : by_key)
            if (d.id == id)
                return d;
        throw remote_error("unknown dossier " + id);
    }
    static std::size_t index(const portal::Dossier& d, const std::string& code) {
        for (std::size_t i = 0; i < d.uploads.size(); ++i)
            if (d.uploads[i].code == code)
                return i;
        throw remote_error("unknown component " + code);
    }
};

struct Fixture {
    TempDir dir;
    std::string manifest_text;

    explicit Fixture(const std::string& signature = "none") {
        auto r = run_command("python3 " + shell_quote(NEAC_SOURCE_DIR) +
                             "/tests/support/make_pdf.py " + shell_quote((dir / "a.pdf").string()) +
                             " --pages 3 && python3 " + shell_quote(NEAC_SOURCE_DIR) +
                             "/tests/support/make_pdf.py " + shell_quote((dir / "b.pdf").string()));
        if (r.status != 0)
            throw std::runtime_error(r.output);
        manifest_text = "portal:\n  url: https://portal.example.vn/neac/v1\n"
                        "procedure:\n  code: \"1.001193\"\n"
                        "applicant:\n  name: NGUYỄN VĂN A\n  id: \"001099012345\"\n"
                        "  phone: \"0912345678\"\n"
                        "components:\n"
                        "  - {code: TP1, title: Tờ khai, file: a.pdf, signature: " +
                        signature +
                        "}\n"
                        "  - {code: TP2, title: Giấy tờ, file: b.pdf}\n";
        write_file(dir / "d.yaml", manifest_text);
    }
    portal::Manifest manifest() const { return portal::load_manifest(dir / "d.yaml"); }
};

TEST(PortalSubmit, UploadsEveryByteAndSubmits) {
    Fixture f;
    portal::Manifest m = f.manifest();
    portal::DossierCheck check = portal::check_dossier(m, {});
    ASSERT_TRUE(check.ok());
    FakePortal p;
    portal::SubmitResult r = portal::submit_dossier(check, p);
    EXPECT_TRUE(r.created);
    EXPECT_EQ(r.dossier.receipt.dossier_code, "H40.22-261126-0001");
    EXPECT_EQ(p.content["TP1"], read_file(f.dir / "a.pdf"));
    EXPECT_EQ(p.content["TP2"], read_file(f.dir / "b.pdf"));
    EXPECT_EQ(r.bytes_sent, static_cast<std::int64_t>(fs::file_size(f.dir / "a.pdf") +
                                                      fs::file_size(f.dir / "b.pdf")));
    EXPECT_GT(p.chunks, 2); // 1 KiB chunks: streamed, not sent whole
}

TEST(PortalSubmit, ARerunResumesTheSameDossier) {
    Fixture f;
    portal::Manifest m = f.manifest();
    portal::DossierCheck check = portal::check_dossier(m, {});
    FakePortal p;
    // An earlier run created the dossier and got 1,000 bytes of TP1 through before it died.
    portal::Dossier first = p.create_dossier(check.idempotency_key, check.request);
    std::string a = read_file(f.dir / "a.pdf");
    p.upload_chunk(first.id, "TP1", 0, a.substr(0, 1000));
    int chunks_before = p.chunks;

    portal::DossierCheck again = portal::check_dossier(f.manifest(), {});
    EXPECT_EQ(again.idempotency_key, check.idempotency_key);
    portal::SubmitResult r = portal::submit_dossier(again, p);
    EXPECT_FALSE(r.created);
    EXPECT_EQ(p.by_key.size(), 1u);
    EXPECT_EQ(r.bytes_resumed, 1000);
    EXPECT_EQ(p.content["TP1"], a);
    EXPECT_EQ(r.bytes_sent,
              static_cast<std::int64_t>(a.size() - 1000 + fs::file_size(f.dir / "b.pdf")));
    EXPECT_GT(p.chunks, chunks_before);

    // Once submitted, running again sends nothing.
    int chunks_after = p.chunks;
    portal::SubmitResult third = portal::submit_dossier(portal::check_dossier(f.manifest(), {}), p);
    EXPECT_TRUE(third.already_submitted);
    EXPECT_EQ(p.chunks, chunks_after);
    EXPECT_EQ(third.dossier.receipt.dossier_code, r.dossier.receipt.dossier_code);
}

TEST(PortalSubmit, FollowsThePortalsOffset) {
    Fixture f;
    portal::DossierCheck check = portal::check_dossier(f.manifest(), {});
    FakePortal p;
    p.skew_next_chunk = 300;
    portal::submit_dossier(check, p);
    EXPECT_EQ(p.content["TP1"], read_file(f.dir / "a.pdf"));
}

TEST(PortalSubmit, TheKeyChangesWithTheContent) {
    Fixture f;
    std::string key = portal::check_dossier(f.manifest(), {}).idempotency_key;
    EXPECT_EQ(key.size(), 64u);
    std::string b = read_file(f.dir / "b.pdf");
    write_file(f.dir / "b.pdf", b + "\n% edited\n");
    EXPECT_NE(portal::check_dossier(f.manifest(), {}).idempotency_key, key);
}

TEST(PortalSubmit, ThePortalsOwnLimitRefusesBeforeCreating) {
    Fixture f;
    portal::DossierCheck check = portal::check_dossier(f.manifest(), {});
    FakePortal p;
    p.limits.max_component_bytes = 100;
    Error e = expect_error([&] { portal::submit_dossier(check, p); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("TP1"), std::string::npos);
    EXPECT_EQ(p.creates, 0);
    p.limits.max_component_bytes = 0;
    p.limits.accepted_types = {"doc"};
    e = expect_error([&] { portal::submit_dossier(check, p); });
    EXPECT_NE(std::string(e.what()).find("does not accept"), std::string::npos);
    EXPECT_EQ(p.creates, 0);
}

TEST(PortalCheck, TheManifestsPolicyReachesTheVerifier) {
    portal::ManifestPolicy m;
    m.require_timestamp = true;
    m.revocation = "require";
    m.allow = {"forms"};
    verify::Policy p = portal::verify_policy(m, {"/ca/root.pem"});
    EXPECT_TRUE(p.require_timestamp);
    EXPECT_FALSE(p.require_trusted);
    EXPECT_EQ(p.revocation, "require");
    EXPECT_TRUE(p.allow_forms);
    EXPECT_FALSE(p.allow_annotations);
    ASSERT_EQ(p.trust.size(), 1u);
    EXPECT_EQ(p.trust[0], "/ca/root.pem");
}

TEST(PortalCheck, RefusesEachBadComponentByName) {
    Fixture f("required");
    // Unsigned, but a signature by the applicant is required: a verification failure.
    portal::DossierCheck check = portal::check_dossier(f.manifest(), {});
    ASSERT_FALSE(check.ok());
    Error e = check.first_error();
    EXPECT_EQ(e.kind(), ErrorKind::Verification);
    EXPECT_NE(std::string(e.what()).find("TP1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not signed"), std::string::npos) << e.what();
    EXPECT_TRUE(check.idempotency_key.empty());

    Fixture g;
    write_file(g.dir / "b.pdf", "\x89PNG\r\n\x1a\nnot really");
    e = portal::check_dossier(g.manifest(), {}).first_error();
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("TP2 (b.pdf) is a PNG image"), std::string::npos)
        << e.what();

    fs::remove(g.dir / "b.pdf");
    e = portal::check_dossier(g.manifest(), {}).first_error();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();

    Fixture h;
    write_file(h.dir / "d.yaml", "portal:\n  url: https://p.example.vn\n  max-file-size: 1KB\n" +
                                     h.manifest_text.substr(h.manifest_text.find("procedure:")));
    e = portal::check_dossier(h.manifest(), {}).first_error();
    EXPECT_NE(std::string(e.what()).find("over the portal's limit"), std::string::npos) << e.what();
}

} // namespace
