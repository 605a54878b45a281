// parse_profile / to_yaml: positions in errors, unknown keys, missing keys, secrets, round trip.
#include "neac/profile/profile.hpp"
#include "neac/util/error.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::profile;

namespace {

const char* kGood = R"(# neac signature profile
version: 1
name: an
display-name: NGUYỄN VĂN A
image: an.png
phone: "0912 345 678"
locator:
  keyword: "Người làm đơn"
  placement: right
  offset: 6.5
  width: 150
  height: 50
  occurrence: 2
signing:
  reason: "Ký hồ sơ"
  location: "Điện Biên"
  tsa: http://tsa.example.vn/tsr
  digest: sha384
signatures:
  - type: neac
    account: 001099012345
    provider: sandbox
    approval-delay: 2
  - account: "162952530"
    provider: vnpt-smartca
    default: true
    sp-id-env: VNPT_SP_ID
    sp-password-env: VNPT_SP_PASSWORD
    serial: 54:01:ab
    ca-bundle: certs/vnpt.pem
)";

Error parse_error(const std::string& text, const std::string& file = "/p/x.yaml") {
    try {
        parse_profile(text, file);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        return e;
    }
    ADD_FAILURE() << "expected an error for:\n" << text;
    return input_error("none");
}

} // namespace

TEST(ProfileYaml, ParsesEveryField) {
    Profile p = parse_profile(kGood, "/home/u/profiles/an.yaml");
    EXPECT_EQ(p.name, "an");
    EXPECT_EQ(p.display_name, "NGUYỄN VĂN A");
    EXPECT_EQ(p.image, "/home/u/profiles/an.png");
    EXPECT_EQ(p.phone, "+84912345678");
    EXPECT_EQ(p.source, "/home/u/profiles/an.yaml");
    ASSERT_TRUE(p.locator);
    EXPECT_EQ(p.locator->keywords, std::vector<std::string>{"Người làm đơn"});
    EXPECT_EQ(p.locator->placement, Placement::Right);
    EXPECT_DOUBLE_EQ(p.locator->offset, 6.5);
    EXPECT_DOUBLE_EQ(p.locator->width, 150);
    EXPECT_DOUBLE_EQ(p.locator->height, 50);
    EXPECT_EQ(p.locator->occurrence, "2");
    EXPECT_EQ(p.signing.reason, "Ký hồ sơ");
    EXPECT_EQ(p.signing.location, "Điện Biên");
    EXPECT_EQ(p.signing.tsa, "http://tsa.example.vn/tsr");
    EXPECT_EQ(p.signing.digest, "sha384");
    ASSERT_EQ(p.signatures.size(), 2u);
    // Unquoted, the leading zeros of the CCCD survive: values are read as text.
    EXPECT_EQ(p.signatures[0].account, "001099012345");
    EXPECT_EQ(p.signatures[0].account_kind, "CCCD");
    EXPECT_EQ(p.signatures[0].settings.at("approval-delay"), "2");
    EXPECT_EQ(p.signatures[1].account_kind, "CMND");
    EXPECT_EQ(p.signatures[1].settings.at("serial"), "5401AB");
    EXPECT_EQ(p.signatures[1].settings.at("ca-bundle"), "/home/u/profiles/certs/vnpt.pem");
    EXPECT_EQ(&p.default_signature(), &p.signatures[1]);
}

TEST(ProfileYaml, DefaultSignatureIsFirstWhenNoneMarked) {
    Profile p = parse_profile("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                              "  - {account: '001099012345', provider: sandbox}\n"
                              "  - {account: '162952530', provider: sandbox}\n",
                              "");
    EXPECT_EQ(&p.default_signature(), &p.signatures[0]);
    EXPECT_FALSE(p.locator);
    EXPECT_TRUE(p.image.empty());
}

TEST(ProfileYaml, UnknownKeyHasLineAndColumn) {
    Error e = parse_error("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                          "  - account: '001099012345'\n    provider: sandbox\n    colour: red\n");
    EXPECT_EQ(e.file(), "/p/x.yaml");
    EXPECT_EQ(e.line(), 7);
    EXPECT_EQ(e.column(), 5);
    EXPECT_NE(std::string(e.what()).find("unknown key 'signatures[1].colour'"), std::string::npos);
    EXPECT_NE(e.describe().find("/p/x.yaml:7:5: "), std::string::npos);

    Error top = parse_error("name: a\nnickname: b\n");
    EXPECT_EQ(top.line(), 2);
    EXPECT_EQ(top.column(), 1);
    Error loc = parse_error("name: a\nlocator:\n  keyword: k\n  angle: 3\n");
    EXPECT_EQ(loc.line(), 4);
    EXPECT_EQ(loc.column(), 3);
}

TEST(ProfileYaml, SettingOfAnotherProviderIsRefused) {
    Error e = parse_error("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                          "  - account: '001099012345'\n    provider: sandbox\n"
                          "    sp-id-env: X\n");
    EXPECT_EQ(e.line(), 7);
    EXPECT_EQ(e.column(), 16);
    EXPECT_NE(std::string(e.what()).find("not used by provider sandbox"), std::string::npos);
}

TEST(ProfileYaml, WrongTypesAndValuesHavePositions) {
    Error list = parse_error("name: a\ndisplay-name: [A, B]\n");
    EXPECT_EQ(list.line(), 2);
    EXPECT_EQ(list.column(), 15);
    EXPECT_NE(std::string(list.what()).find("expected text, got a list"), std::string::npos);
    Error num = parse_error("name: a\nlocator:\n  keyword: k\n  width: wide\n");
    EXPECT_EQ(num.line(), 4);
    EXPECT_EQ(num.column(), 10);
    Error phone = parse_error("name: a\nphone: '0241234567'\n");
    EXPECT_EQ(phone.line(), 2);
    EXPECT_EQ(phone.column(), 8);
    Error acct = parse_error("name: a\nsignatures:\n  - account: '003099012345'\n");
    EXPECT_EQ(acct.line(), 3);
    EXPECT_EQ(acct.column(), 14);
    Error sigs = parse_error("name: a\nsignatures: sandbox\n");
    EXPECT_EQ(sigs.line(), 2);
    Error boolean =
        parse_error("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                    "  - {account: '001099012345', provider: sandbox, default: maybe}\n");
    EXPECT_NE(std::string(boolean.what()).find("true or false"), std::string::npos);
    Error version = parse_error("version: 2\nname: a\n");
    EXPECT_EQ(version.line(), 1);
    Error two_defaults =
        parse_error("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                    "  - {account: '001099012345', provider: sandbox, default: true}\n"
                    "  - {account: '162952530', provider: sandbox, default: true}\n");
    EXPECT_EQ(two_defaults.line(), 6);
    Error dup = parse_error("name: a\nname: b\n");
    EXPECT_EQ(dup.line(), 2);
    EXPECT_NE(std::string(dup.what()).find("duplicate"), std::string::npos);
}

TEST(ProfileYaml, SyntaxErrorHasPosition) {
    Error e = parse_error("name: a\ndisplay-name: x: y\nphone: x\n");
    EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 16);
    Error tab = parse_error("name: a\nlocator:\n  keyword: k\n   placement: [below\n");
    EXPECT_GE(tab.line(), 4);
    EXPECT_GT(tab.column(), 0);
    Error utf = parse_error("name: a\ndisplay-name: \xC3\x28\n");
    EXPECT_EQ(utf.line(), 2);
    Error empty = parse_error("# nothing\n");
    EXPECT_NE(std::string(empty.what()).find("empty"), std::string::npos);
    Error scalar = parse_error("just text\n");
    EXPECT_NE(std::string(scalar.what()).find("mapping"), std::string::npos);
    Error docs = parse_error("name: a\n---\nname: b\n");
    EXPECT_NE(std::string(docs.what()).find("one YAML document"), std::string::npos);
}

TEST(ProfileYaml, AllMissingKeysInOneError) {
    Error e = parse_error("version: 1\nlocator:\n  placement: below\nsignatures:\n"
                          "  - provider: vnpt-smartca\n  - account: '001099012345'\n"
                          "  - account: '001099012345'\n    provider: csc\n");
    std::string msg = e.what();
    for (const char* key :
         {"name", "display-name", "phone", "locator.keyword", "signatures[1].account",
          "signatures[1].sp-id-env", "signatures[1].sp-password-env", "signatures[2].provider",
          "signatures[3].endpoint", "signatures[3].token-env"})
        EXPECT_NE(msg.find(key), std::string::npos) << key << " missing from: " << msg;
    EXPECT_EQ(msg.rfind("missing required keys: ", 0), 0u) << msg;
    EXPECT_EQ(e.line(), 1);
    // An empty value counts as missing.
    Error blank = parse_error("name: a\ndisplay-name:\nphone: '0912345678'\nsignatures:\n"
                              "  - {account: '001099012345', provider: sandbox}\n");
    EXPECT_NE(std::string(blank.what()).find("missing required key: display-name"),
              std::string::npos);
}

TEST(ProfileYaml, LiteralSecretsAreRefused) {
    const std::string secret = "hunter2-do-not-print";
    for (const char* key : {"password", "sp-password", "client-secret", "token", "pin"}) {
        std::string text = "name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                           "  - account: '001099012345'\n    provider: misa-esign\n    " +
                           std::string(key) + ": " + secret + "\n";
        Error e = parse_error(text);
        EXPECT_NE(std::string(e.what()).find("secrets are never stored in profiles"),
                  std::string::npos);
        EXPECT_EQ(e.describe().find(secret), std::string::npos);
        EXPECT_EQ(e.line(), 7);
    }
    Error pw = parse_error("name: a\npassword: x\n");
    EXPECT_NE(std::string(pw.what()).find("use password-env or password-file"), std::string::npos);
    Error env = parse_error("name: a\ndisplay-name: A\nphone: '0912345678'\nsignatures:\n"
                            "  - account: '001099012345'\n    provider: vnpt-smartca\n"
                            "    sp-id-env: VNPT_SP_ID\n    sp-password-env: " +
                            secret + "\n");
    EXPECT_NE(std::string(env.what()).find("looks like a secret value"), std::string::npos);
    EXPECT_EQ(env.describe().find(secret), std::string::npos);
    EXPECT_EQ(env.line(), 8);
}

TEST(ProfileYaml, RoundTrip) {
    Profile p = parse_profile(kGood, "/home/u/profiles/an.yaml");
    std::string text = to_yaml(p);
    Profile q = parse_profile(text, "/home/u/profiles/an.yaml");
    EXPECT_EQ(p, q) << text;
    // Paths inside the profile's folder are written relative to it.
    EXPECT_NE(text.find("image: \"an.png\""), std::string::npos) << text;
    EXPECT_NE(text.find("ca-bundle: \"certs/vnpt.pem\""), std::string::npos) << text;
    EXPECT_NE(text.find("display-name: \"NGUYỄN VĂN A\""), std::string::npos) << text;
    EXPECT_NE(text.find("account: \"001099012345\""), std::string::npos) << text;
    // Once more: the text is stable.
    EXPECT_EQ(to_yaml(q), text);
}

TEST(ProfileYaml, RoundTripOfAwkwardText) {
    Profile p;
    p.name = "true";
    p.display_name = "Trần \"Bé\" \\ Thị: # not a comment";
    p.phone = "+84912345678";
    p.locator = Locator{};
    p.locator->keywords = {"yes"};
    p.locator->occurrence = "all";
    p.signing.reason = "- dash\tand tab";
    SignatureEntry e;
    e.account = "001099012345";
    e.account_kind = "CCCD";
    e.provider = "sandbox";
    e.settings["approval-delay"] = "0.25";
    p.signatures.push_back(e);
    Profile q = parse_profile(to_yaml(p), "");
    EXPECT_EQ(p, q) << to_yaml(p);
}

TEST(ProfileYaml, KeywordsInOrderOfPreference) {
    const std::string head = "name: a\ndisplay-name: A\nphone: \"0912345678\"\n"
                             "signatures:\n  - account: \"001099012345\"\n"
                             "    provider: sandbox\n";
    Profile p = parse_profile(head + "locator:\n  keyword:\n    - \"Người làm đơn\"\n"
                                     "    - \"Người khai\"\n",
                              "");
    EXPECT_EQ(p.locator->keywords, (std::vector<std::string>{"Người làm đơn", "Người khai"}));
    EXPECT_EQ(parse_profile(to_yaml(p), ""), p) << to_yaml(p);
    Error empty = parse_error(head + "locator:\n  keyword: []\n");
    EXPECT_NE(std::string(empty.what()).find("list of 1 to 8"), std::string::npos);
    Error blank = parse_error(head + "locator:\n  keyword:\n    - a\n    - \" \"\n");
    EXPECT_NE(std::string(blank.what()).find("locator.keyword[2]: must not be blank"),
              std::string::npos)
        << blank.what();
}

TEST(ProfileYaml, ProviderConfig) {
    Profile p = parse_profile(kGood, "/home/u/profiles/an.yaml");
    providers::ProviderConfig c = to_provider_config(p, 1, "/home/u");
    EXPECT_EQ(c.provider, "vnpt-smartca");
    EXPECT_EQ(c.account, "162952530");
    EXPECT_EQ(c.display_name, "NGUYỄN VĂN A");
    EXPECT_EQ(c.home, "/home/u");
    EXPECT_EQ(c.settings.at("endpoint"), "https://gwsca.vnpt.vn/sca/sp769");
    EXPECT_EQ(c.settings.at("sp-password-env"), "VNPT_SP_PASSWORD");
    providers::ProviderConfig s = to_provider_config(p, 0, "/home/u");
    EXPECT_EQ(s.settings.count("endpoint"), 0u);
    EXPECT_THROW(to_provider_config(p, 2, "/home/u"), Error);
}
