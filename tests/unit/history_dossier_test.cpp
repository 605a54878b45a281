// neac history --dossier: the portal's signing-history view through a fake PortalClient, and how
// the portal connection is found (submission record, overrides, token).
#include "neac/history/dossier.hpp"
#include "neac/history/render.hpp"
#include "neac/portal/records.hpp"
#include "neac/util/text.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

using namespace neac;
using namespace neac::testing;

namespace {

// Answers history() with a canned view; every other call is a test failure.
class FakePortal : public portal::PortalClient {
public:
    portal::DossierHistory answer;
    bool fail = false;
    std::vector<std::string> asked;

    portal::PortalInfo info() override { throw std::logic_error("info() not expected"); }
    portal::Dossier create_dossier(const std::string&, const portal::DossierRequest&) override {
        throw std::logic_error("create_dossier() not expected");
    }
    portal::UploadState upload_state(const std::string&, const std::string&) override {
        throw std::logic_error("upload_state() not expected");
    }
    portal::UploadState upload_chunk(const std::string&, const std::string&, std::int64_t,
                                     const std::string&) override {
        throw std::logic_error("upload_chunk() not expected");
    }
    portal::Dossier submit(const std::string&) override {
        throw std::logic_error("submit() not expected");
    }
    portal::Dossier status(const std::string&) override {
        throw std::logic_error("status() not expected");
    }
    portal::DossierHistory history(const std::string& code) override {
        asked.push_back(code);
        if (fail)
            throw remote_error("portal history: HTTP 503");
        return answer;
    }
};

portal::PortalSignature sig(int index, const std::string& name, const std::string& number,
                            const std::string& verdict) {
    portal::PortalSignature s;
    s.index = index;
    s.field = "Signature" + std::to_string(index);
    s.signer_name = name;
    s.identity_kind = "CCCD";
    s.identity_number = number;
    s.issuer = "CN=neac Sandbox Issuing CA,O=neac sandbox,C=VN";
    s.serial = "6F82FC7C";
    s.claimed_time = "2026-11-26T14:03:04Z";
    s.verdict = verdict;
    if (verdict != "PASSED")
        s.detail = "NO_CERTIFICATE_CHAIN_FOUND";
    return s;
}

portal::DossierHistory canned() {
    portal::DossierHistory d;
    d.dossier_code = "H40.22-261126-0001";
    d.procedure_code = "1.001234";
    d.status = "submitted";
    d.submitted_at = "2026-11-26T14:10:00Z";
    portal::ComponentHistory tp1;
    tp1.code = "TP1";
    tp1.title = "Tờ khai đăng ký khai sinh";
    tp1.file_name = "to-khai.pdf";
    tp1.sha256 = "67e0dd378a2c15bdacf44f2126d80ed82693c93892998b8cea3d8cded344d762";
    tp1.uploaded_at = "2026-11-26T14:05:00Z";
    // Out of order on purpose; NFD and NFC names in the same table.
    tp1.signatures = {sig(2, "TRẦN THỊ BÍCH NGỌC", "079188000111", "INDETERMINATE"),
                      sig(1, "NGUYE\xCC\x82\xCC\x83N VA\xCC\x86N A", "001099012345", "PASSED")};
    portal::ComponentHistory tp2;
    tp2.code = "TP2";
    tp2.title = "Bản sao giấy chứng sinh";
    tp2.file_name = "chung-sinh.pdf";
    tp2.sha256 = "1f17d6ad078b627f8d1b3e4d721ce841965016e4b83f5f4026a83016de3af9a5";
    d.components = {tp1, tp2};
    return d;
}

} // namespace

TEST(HistoryDossier, FetchesThroughTheClientAndSortsSignatures) {
    FakePortal fake;
    fake.answer = canned();
    portal::DossierHistory d = history::fetch_dossier_history(fake, "H40.22-261126-0001");
    ASSERT_EQ(fake.asked, std::vector<std::string>{"H40.22-261126-0001"});
    ASSERT_EQ(d.components.size(), 2u);
    EXPECT_EQ(d.components[0].code, "TP1"); // the portal's order
    ASSERT_EQ(d.components[0].signatures.size(), 2u);
    EXPECT_EQ(d.components[0].signatures[0].index, 1);
    EXPECT_EQ(d.components[0].signatures[1].index, 2);

    fake.answer.dossier_code.clear();
    EXPECT_EQ(history::fetch_dossier_history(fake, "H40.22-X").dossier_code, "H40.22-X");

    fake.fail = true;
    Error e = expect_error([&] { history::fetch_dossier_history(fake, "H40.22-261126-0001"); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
}

TEST(HistoryDossier, TextShowsEveryComponentWithAlignedSignatures) {
    FakePortal fake;
    fake.answer = canned();
    portal::DossierHistory d = history::fetch_dossier_history(fake, "H40.22-261126-0001");
    std::string text = history::render_dossier_text(d, "https://dvc.example.gov.vn/neac/v1", {});
    EXPECT_NE(text.find("Dossier H40.22-261126-0001"), std::string::npos) << text;
    EXPECT_NE(text.find("procedure 1.001234, submitted"), std::string::npos) << text;
    EXPECT_NE(text.find("TP1  Tờ khai đăng ký khai sinh"), std::string::npos) << text;
    EXPECT_NE(text.find("file to-khai.pdf, sha256 67e0dd378a2c15bd…"), std::string::npos) << text;
    EXPECT_EQ(text.find("67e0dd378a2c15bdacf4"), std::string::npos) << "full hash without -v";
    EXPECT_NE(text.find("TP2  Bản sao giấy chứng sinh"), std::string::npos) << text;
    EXPECT_NE(text.find("no signature"), std::string::npos) << text;
    EXPECT_NE(text.find("neac Sandbox Issuing CA"), std::string::npos) << text;
    EXPECT_NE(text.find("INDETERMINATE: NO_CERTIFICATE_CHAIN_FOUND"), std::string::npos) << text;

    // The identity column starts at the same display column for the NFD and the NFC name.
    std::istringstream in(text);
    std::string line;
    std::vector<std::size_t> columns;
    while (std::getline(in, line)) {
        auto at = line.find("CCCD ");
        if (at != std::string::npos)
            columns.push_back(display_width(line.substr(0, at)));
    }
    ASSERT_EQ(columns.size(), 2u) << text;
    EXPECT_EQ(columns[0], columns[1]) << text;

    history::TextStyle verbose;
    verbose.verbose = true;
    std::string v = history::render_dossier_text(d, "https://x", verbose);
    EXPECT_NE(v.find(d.components[0].sha256), std::string::npos);
    EXPECT_NE(v.find("issuer subject: CN=neac Sandbox Issuing CA,O=neac sandbox,C=VN"),
              std::string::npos);
}

TEST(HistoryDossier, JsonHasTheDossierAndItsComponents) {
    portal::DossierHistory d = canned();
    nlohmann::json j = history::dossier_to_json(d, "https://dvc.example.gov.vn/neac/v1");
    EXPECT_EQ(j["version"], 1);
    const nlohmann::json& dj = j["dossier"];
    EXPECT_EQ(dj["code"], "H40.22-261126-0001");
    EXPECT_EQ(dj["portal"], "https://dvc.example.gov.vn/neac/v1");
    EXPECT_EQ(dj["procedure_code"], "1.001234");
    ASSERT_EQ(dj["components"].size(), 2u);
    const nlohmann::json& s = dj["components"][0]["signatures"][0];
    EXPECT_EQ(s["signer"]["name"], "TRẦN THỊ BÍCH NGỌC");
    EXPECT_EQ(s["signer"]["identity"]["number"], "079188000111");
    EXPECT_EQ(s["issuer"]["name"], "neac Sandbox Issuing CA");
    EXPECT_EQ(s["verdict"], "INDETERMINATE");
    EXPECT_EQ(s["detail"], "NO_CERTIFICATE_CHAIN_FOUND");
    EXPECT_TRUE(dj["components"][1]["signatures"].empty());
}

TEST(HistoryDossier, FindsThePortalFromTheSubmissionRecord) {
    TempDir home;
    ::setenv("NEAC_PORTAL_TOKEN", "tok-123", 1);
    // Nothing known and nothing given: a usage error that says what to pass.
    Error none = expect_error([&] { history::resolve_portal(home.path(), "H40.22-1", {}); });
    EXPECT_EQ(none.kind(), ErrorKind::Usage);
    EXPECT_NE(none.hint().find("--portal"), std::string::npos);

    portal::SubmissionRecord r;
    r.dossier_code = "H40.22-1";
    r.portal_url = "https://recorded.example/neac/v1";
    r.ca_bundle = "/etc/recorded.pem";
    portal::save_submission(home.path(), r);
    portal::PortalConnection c = history::resolve_portal(home.path(), "H40.22-1", {});
    EXPECT_EQ(c.base_url, "https://recorded.example/neac/v1");
    EXPECT_EQ(c.ca_bundle, "/etc/recorded.pem");
    EXPECT_EQ(c.token, "tok-123");

    history::PortalOverrides o;
    o.portal_url = "http://127.0.0.1:9/neac/v1";
    o.ca_bundle = "/tmp/other.pem";
    c = history::resolve_portal(home.path(), "H40.22-1", o);
    EXPECT_EQ(c.base_url, "http://127.0.0.1:9/neac/v1");
    EXPECT_EQ(c.ca_bundle, "/tmp/other.pem");

    o.portal_url = "ftp://x";
    EXPECT_EQ(expect_error([&] { history::resolve_portal(home.path(), "H40.22-1", o); }).kind(),
              ErrorKind::Usage);
    ::unsetenv("NEAC_PORTAL_TOKEN");
}
