// Planning `neac sign`: output paths (-o, --out-dir, --in-place, --force), the profile's settings
// under the command line's flags, the keyword locator, and the usage errors that must come before
// any request reaches a provider.
#include "neac/sign/locator.hpp"
#include "neac/sign/plan.hpp"
#include "neac/util/error.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

using namespace neac;
using neac::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const char* kProfile = R"(version: 1
name: an
display-name: NGUYỄN VĂN A
phone: "0912 345 678"
locator:
  keyword: "Người làm đơn"
  placement: right
  offset: 6
  width: 150
  height: 50
  occurrence: first
signing:
  reason: "Ký hồ sơ"
  location: "Điện Biên"
  tsa: http://tsa.example.vn/tsr
  digest: sha384
signatures:
  - account: 001099012345
    provider: sandbox
  - account: "162952530"
    provider: sandbox
    default: true
)";

profile::Profile test_profile(bool with_locator = true) {
    profile::Profile p = profile::parse_profile(kProfile, "");
    if (!with_locator)
        p.locator.reset();
    return p;
}

// The Error a call throws; a test failure when it throws nothing.
template <class F> Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected an error";
    return Error(ErrorKind::Internal, "none");
}

std::string make_file(const TempDir& dir, const std::string& name) {
    fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    neac::testing::write_file(p, "%PDF-1.7\n");
    return p.string();
}

} // namespace

TEST(SignPlan, ParseRectTakesFourNumbers) {
    pdf::Rect r = sign::parse_rect("350,80.5,180,60");
    EXPECT_DOUBLE_EQ(r.x, 350);
    EXPECT_DOUBLE_EQ(r.y, 80.5);
    EXPECT_DOUBLE_EQ(r.w, 180);
    EXPECT_DOUBLE_EQ(r.h, 60);
    for (const char* bad : {"1,2,3", "1,2,3,4,5", "1,2,3,4pt", "a,b,c,d", ""}) {
        Error e = error_of([&] { sign::parse_rect(bad); });
        EXPECT_EQ(e.kind(), ErrorKind::Usage) << bad;
        EXPECT_NE(std::string(e.what()).find("--rect takes x,y,width,height"), std::string::npos)
            << bad;
    }
}

TEST(SignPlan, DefaultOutputIsNameDotSignedBesideTheInput) {
    TempDir dir;
    sign::SignFlags f;
    f.files = {make_file(dir, "don.pdf"), make_file(dir, "sub/to khai.pdf")};
    std::vector<sign::FileJob> jobs = sign::plan_outputs(f, sign::plan_inputs(f));
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].input, dir / "don.pdf");
    EXPECT_EQ(jobs[0].output, dir / "don.signed.pdf");
    EXPECT_EQ(jobs[1].output, dir / "sub/to khai.signed.pdf");
}

TEST(SignPlan, OutputDirInPlaceAndOutputFile) {
    TempDir dir;
    fs::create_directories(dir / "out");
    sign::SignFlags f;
    f.files = {make_file(dir, "a.pdf"), make_file(dir, "b.pdf")};
    f.out_dir = (dir / "out").string();
    std::vector<sign::FileJob> jobs = sign::plan_outputs(f, sign::plan_inputs(f));
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].output, dir / "out" / "a.signed.pdf");
    EXPECT_EQ(jobs[1].output, dir / "out" / "b.signed.pdf");

    f.out_dir.clear();
    f.in_place = true;
    jobs = sign::plan_outputs(f, sign::plan_inputs(f));
    EXPECT_EQ(jobs[1].output, jobs[1].input);

    sign::SignFlags one;
    one.files = {f.files[0]};
    one.output = (dir / "x.pdf").string();
    jobs = sign::plan_outputs(one, sign::plan_inputs(one));
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].output, dir / "x.pdf");
}

TEST(SignPlan, OutputFlagsThatCannotWorkAreUsageErrors) {
    TempDir dir;
    std::string a = make_file(dir, "a.pdf"), b = make_file(dir, "b.pdf");
    auto refused = [](const sign::SignFlags& f, const std::string& message) {
        Error e = error_of([&] { sign::plan_outputs(f, sign::plan_inputs(f)); });
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        return e;
    };

    sign::SignFlags two_to_one;
    two_to_one.files = {a, b};
    two_to_one.output = (dir / "one.pdf").string();
    refused(two_to_one, "-o names one output");

    sign::SignFlags in_place_and_o;
    in_place_and_o.files = {a};
    in_place_and_o.output = (dir / "o.pdf").string();
    in_place_and_o.in_place = true;
    refused(in_place_and_o, "--in-place cannot be combined");

    sign::SignFlags in_place_and_dir;
    in_place_and_dir.files = {a};
    in_place_and_dir.out_dir = dir.path().string();
    in_place_and_dir.in_place = true;
    refused(in_place_and_dir, "--in-place cannot be combined");

    sign::SignFlags no_folder;
    no_folder.files = {a};
    no_folder.out_dir = (dir / "missing" / "deeper").string();
    refused(no_folder, "does not exist, nor does the folder it would be made in");

    sign::SignFlags file_as_folder;
    file_as_folder.files = {a};
    file_as_folder.out_dir = a;
    refused(file_as_folder, "is a file, not a folder");

    sign::SignFlags output_is_input;
    output_is_input.files = {a};
    output_is_input.output = a;
    refused(output_is_input, "is the input; use --in-place");
}

TEST(SignPlan, TwoInputsForOneOutputAreRefused) {
    TempDir dir;
    fs::create_directories(dir / "out");
    sign::SignFlags f;
    // Different folders, same name: --out-dir would put both at out/form.signed.pdf.
    f.files = {make_file(dir, "x/form.pdf"), make_file(dir, "y/form.pdf")};
    f.out_dir = (dir / "out").string();
    Error e = error_of([&] { sign::plan_outputs(f, sign::plan_inputs(f)); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("two inputs would be written to the same output"),
              std::string::npos);

    // The same file named twice, once through "..".
    sign::SignFlags twice;
    twice.files = {make_file(dir, "a.pdf"), (dir / "x" / ".." / "a.pdf").string()};
    EXPECT_EQ(error_of([&] { sign::plan_outputs(twice, sign::plan_inputs(twice)); }).kind(),
              ErrorKind::Usage);
}

TEST(SignPlan, ExistingOutputNeedsForce) {
    TempDir dir;
    sign::SignFlags f;
    f.files = {make_file(dir, "a.pdf")};
    make_file(dir, "a.signed.pdf");
    Error e = error_of([&] { sign::plan_outputs(f, sign::plan_inputs(f)); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.hint().find("--force"), std::string::npos);
    f.force = true;
    EXPECT_EQ(sign::plan_outputs(f, sign::plan_inputs(f)).at(0).output, dir / "a.signed.pdf");
}

TEST(SignPlan, SignatureEntryIsTheDefaultOrTheOneAsked) {
    profile::Profile p = test_profile();
    EXPECT_EQ(sign::signature_entry_index(p, 0), 1u); // the entry marked default
    EXPECT_EQ(sign::signature_entry_index(p, 1), 0u);
    EXPECT_EQ(sign::signature_entry_index(p, 2), 1u);
    Error e = error_of([&] { sign::signature_entry_index(p, 3); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("--signature 3 does not exist"), std::string::npos);
}

TEST(SignPlan, ProfileSettingsApplyUnlessAFlagIsGiven) {
    profile::Profile p = test_profile();
    sign::SignFlags f;
    sign::SignOptions o = sign::merge_options(p, 1, f);
    EXPECT_EQ(o.digest, crypto::DigestAlgorithm::Sha384);
    EXPECT_EQ(o.reason, "Ký hồ sơ");
    EXPECT_EQ(o.location, "Điện Biên");
    EXPECT_EQ(o.tsa_url, "http://tsa.example.vn/tsr");
    EXPECT_EQ(o.expected_account, "162952530");
    ASSERT_TRUE(o.locator); // the profile's locator, as no box was given
    EXPECT_EQ(o.locator->keywords, std::vector<std::string>{"Người làm đơn"});
    EXPECT_EQ(o.locator->policy.side, place::Side::Right);
    EXPECT_DOUBLE_EQ(o.locator->policy.width, 150);

    f.digest = "sha512";
    f.reason = "Nộp hồ sơ";
    f.location = "Hà Nội";
    f.tsa = "http://other.example/tsa";
    f.page = 2;
    f.locator.keywords = {"Ký tên"};
    f.locator.box = "100x40";
    o = sign::merge_options(p, 0, f);
    EXPECT_EQ(o.digest, crypto::DigestAlgorithm::Sha512);
    EXPECT_EQ(o.reason, "Nộp hồ sơ");
    EXPECT_EQ(o.location, "Hà Nội");
    EXPECT_EQ(o.tsa_url, "http://other.example/tsa");
    EXPECT_EQ(o.expected_account, "001099012345");
    EXPECT_EQ(o.placement.page, 2);
    ASSERT_TRUE(o.locator);
    EXPECT_EQ(o.locator->keywords, std::vector<std::string>{"Ký tên"});
    EXPECT_EQ(o.locator->page, 2);
    EXPECT_EQ(o.locator->policy.side, place::Side::Right); // still the profile's
    EXPECT_DOUBLE_EQ(o.locator->policy.width, 100);
    EXPECT_DOUBLE_EQ(o.locator->policy.height, 40);
}

TEST(SignLocator, RepeatedKeywordsReplaceTheProfileListInOrder) {
    profile::Profile p = test_profile();
    p.locator->keywords = {"Người làm đơn", "Người khai"};
    place::LocatorFlags none;
    EXPECT_EQ(sign::make_locator_spec(&*p.locator, none)->keywords,
              (std::vector<std::string>{"Người làm đơn", "Người khai"}));
    place::LocatorFlags given;
    given.keywords = {" Ký tên ", "Đại diện"};
    EXPECT_EQ(sign::make_locator_spec(&*p.locator, given)->keywords,
              (std::vector<std::string>{"Ký tên", "Đại diện"}));
    place::LocatorFlags many;
    for (int i = 0; i < 9; ++i)
        many.keywords.push_back("k" + std::to_string(i));
    EXPECT_EQ(error_of([&] { sign::make_locator_spec(nullptr, many); }).kind(), ErrorKind::Usage);
}

TEST(SignPlan, AGivenBoxReplacesTheLocator) {
    profile::Profile p = test_profile();
    sign::SignFlags f;
    f.rect = "300,100,200,60";
    sign::SignOptions o = sign::merge_options(p, 0, f);
    EXPECT_FALSE(o.locator);
    ASSERT_TRUE(o.placement.rect);
    EXPECT_DOUBLE_EQ(o.placement.rect->x, 300);

    sign::SignFlags inv;
    inv.invisible = true;
    EXPECT_FALSE(sign::merge_options(p, 0, inv).locator);
    EXPECT_TRUE(sign::merge_options(p, 0, inv).placement.invisible);

    // A box given outright and keyword placement contradict each other.
    for (int i = 0; i < 3; ++i) {
        sign::SignFlags both;
        both.field = "Sig1";
        if (i == 0)
            both.locator.keywords = {"Ký tên"};
        else if (i == 1)
            both.locator.placement = "above";
        else
            both.fallback_rect = "1,1,10,10";
        Error e = error_of([&] { sign::merge_options(p, 0, both); });
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("cannot be combined with --rect"), std::string::npos);
    }
}

TEST(SignPlan, FallbackRectNeedsAKeyword) {
    sign::SignFlags f;
    f.fallback_rect = "36,36,180,60";
    Error e = error_of([&] { sign::merge_options(test_profile(false), 0, f); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("--fallback-rect needs keyword placement"),
              std::string::npos);

    sign::SignOptions o = sign::merge_options(test_profile(true), 0, f);
    ASSERT_TRUE(o.locator && o.locator->fallback);
    EXPECT_DOUBLE_EQ(o.locator->fallback->w, 180);

    f.fallback_rect = "36,36,0,60";
    EXPECT_EQ(error_of([&] { sign::merge_options(test_profile(true), 0, f); }).kind(),
              ErrorKind::Usage);
}

TEST(SignPlan, BadFlagValuesAreUsageErrors) {
    profile::Profile p = test_profile();
    sign::SignFlags digest;
    digest.digest = "md5";
    EXPECT_EQ(error_of([&] { sign::merge_options(p, 0, digest); }).kind(), ErrorKind::Usage);
    sign::SignFlags rect;
    rect.rect = "1,2,3";
    EXPECT_EQ(error_of([&] { sign::merge_options(p, 0, rect); }).kind(), ErrorKind::Usage);
}

TEST(SignLocator, FlagsOverTheProfileLocator) {
    EXPECT_FALSE(sign::make_locator_spec(nullptr, {}));
    place::LocatorFlags policy_only;
    policy_only.placement = "left";
    Error e = error_of([&] { sign::make_locator_spec(nullptr, policy_only); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("placement flags need a keyword"), std::string::npos);

    profile::Profile p = test_profile();
    place::LocatorFlags flags;
    flags.occurrence = "2";
    flags.offset = 10;
    flags.ignore_diacritics = true;
    flags.no_avoid_text = true;
    std::optional<place::LocatorSpec> spec = sign::make_locator_spec(&*p.locator, flags);
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->keywords, std::vector<std::string>{"Người làm đơn"});
    EXPECT_EQ(spec->occurrence.kind, place::Occurrence::Kind::Nth);
    EXPECT_EQ(spec->occurrence.n, 2);
    EXPECT_DOUBLE_EQ(spec->policy.offset, 10);
    EXPECT_TRUE(spec->ignore_diacritics);
    EXPECT_FALSE(spec->policy.avoid_text);

    for (auto bad :
         {std::function<void(place::LocatorFlags&)>(
              [](place::LocatorFlags& f) { f.keywords = {"  "}; }),
          std::function<void(place::LocatorFlags&)>([](place::LocatorFlags& f) {
              f.keywords = {"Ký tên", " Ký tên"};
          }),
          std::function<void(place::LocatorFlags&)>([](place::LocatorFlags& f) { f.offset = -1; }),
          std::function<void(place::LocatorFlags&)>([](place::LocatorFlags& f) { f.box = "wide"; }),
          std::function<void(place::LocatorFlags&)>([](place::LocatorFlags& f) { f.page = -1; })}) {
        place::LocatorFlags f;
        bad(f);
        EXPECT_EQ(error_of([&] { sign::make_locator_spec(&*p.locator, f); }).kind(),
                  ErrorKind::Usage);
    }
}

TEST(SignPlan, SessionInputsReachTheProviderConfig) {
    sign::SignFlags f;
    f.otp = "123456";
    f.ca_bundle = "certs/ca.pem";
    providers::ProviderConfig config;
    config.settings["ca-bundle"] = "/etc/profile-ca.pem";
    sign::add_session_inputs(f, config);
    EXPECT_EQ(config.otp, "123456");
    EXPECT_EQ(config.settings.at("ca-bundle"), fs::absolute("certs/ca.pem").string());
}

TEST(SignPlan, PlanNeedsFilesAndAProfile) {
    TempDir dir;
    sign::SignFlags f;
    f.profile = "an";
    Error e = error_of([&] { sign::plan_sign(f, dir.path()); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_STREQ(e.what(), "no file to sign");
    f.files = {make_file(dir, "a.pdf")};
    f.profile.clear();
    e = error_of([&] { sign::plan_sign(f, dir.path()); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_STREQ(e.what(), "--profile is required");
    f.profile = "nobody";
    EXPECT_EQ(error_of([&] { sign::plan_sign(f, dir.path()); }).kind(), ErrorKind::BadInput);
}

TEST(SignPlan, PlanFromAStoredProfile) {
    TempDir dir;
    profile::ProfileStore store(dir / "home");
    store.save(test_profile(), false);
    sign::SignFlags f;
    f.files = {make_file(dir, "a.pdf")};
    f.profile = "an";
    f.signature = 1;
    f.otp = "999999";
    sign::SignPlan plan = sign::plan_sign(f, dir / "home");
    EXPECT_EQ(plan.profile.name, "an");
    EXPECT_EQ(plan.entry_index, 0u);
    EXPECT_EQ(plan.options.expected_account, "001099012345");
    ASSERT_EQ(plan.jobs.size(), 1u);
    EXPECT_EQ(plan.jobs[0].output, dir / "a.signed.pdf");
    EXPECT_EQ(plan.provider.provider, "sandbox");
    EXPECT_EQ(plan.provider.account, "001099012345");
    EXPECT_EQ(plan.provider.otp, "999999");
}

TEST(SignPlan, ResumeSelector) {
    sign::SignFlags f;
    f.resume = true;
    EXPECT_EQ(sign::resume_selector(f), "");
    f.files = {"txn-1"};
    EXPECT_EQ(sign::resume_selector(f), "txn-1");
    f.files = {"a.pdf", "b.pdf"};
    EXPECT_NE(std::string(error_of([&] { sign::resume_selector(f); }).what())
                  .find("--resume takes at most one transaction id"),
              std::string::npos);
    f.files.clear();
    f.abandon = true;
    EXPECT_EQ(error_of([&] { sign::resume_selector(f); }).kind(), ErrorKind::Usage);
    f.resume = false;
    EXPECT_NE(std::string(error_of([&] { sign::resume_selector(f); }).what())
                  .find("--abandon needs a transaction id"),
              std::string::npos);
}
