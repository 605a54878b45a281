// ProfileStore, add_profile and check_profile on a temporary neac home.
#include "neac/profile/check.hpp"
#include "neac/profile/edit.hpp"
#include "neac/profile/render.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

using namespace neac;
using namespace neac::profile;
namespace fs = std::filesystem;

namespace {

std::string chunk(const std::string& type, const std::string& body) {
    auto be = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16 & 0xff),
                           static_cast<char>(v >> 8 & 0xff), static_cast<char>(v & 0xff)};
    };
    std::string tb = type + body;
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(tb.data()), static_cast<uInt>(tb.size()));
    return be(static_cast<std::uint32_t>(body.size())) + tb + be(static_cast<std::uint32_t>(crc));
}

// A 2x1 greyscale PNG.
std::string tiny_png() {
    std::string ihdr{0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    std::string raw{0, 10, 20};
    uLongf size = compressBound(3);
    std::string z(size, '\0');
    compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
             3);
    z.resize(size);
    return "\x89PNG\r\n\x1a\n" + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

void write(const fs::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary);
    out << data;
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

class ProfileStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/neac-profile-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        home_ = dir_ / "home";
    }
    void TearDown() override { fs::remove_all(dir_); }

    AddRequest request(const std::string& name) {
        AddRequest r;
        r.name = name;
        r.display_name = "NGUYỄN VĂN A";
        r.phone = "0912 345 678";
        r.account = "001099012345";
        r.provider = "sandbox";
        r.base_dir = dir_;
        return r;
    }

    fs::path dir_, home_;
};

} // namespace

TEST_F(ProfileStoreTest, AddSavesPrivateFilesAndCopiesImage) {
    write(dir_ / "sig.png", tiny_png());
    AddRequest r = request("an");
    r.image = "sig.png"; // relative to base_dir
    r.keywords = {"Người làm đơn"};
    r.box = "200x70";
    r.settings["approval-delay"] = "1";
    ProfileStore store(home_);
    AddResult res = add_profile(store, r);
    EXPECT_TRUE(res.created);
    fs::path yaml = home_ / "profiles" / "an.yaml";
    EXPECT_EQ(res.profile.source, yaml);
    EXPECT_EQ(res.profile.image, home_ / "profiles" / "an.png");
    EXPECT_EQ(mode_of(yaml), 0600u);
    EXPECT_EQ(mode_of(home_ / "profiles" / "an.png"), 0600u);
    EXPECT_EQ(mode_of(home_ / "profiles"), 0700u);

    fs::remove(dir_ / "sig.png"); // the profile keeps working without the original
    Profile p = store.load("an");
    EXPECT_EQ(p, res.profile);
    EXPECT_EQ(p.display_name, "NGUYỄN VĂN A");
    EXPECT_EQ(p.phone, "+84912345678");
    EXPECT_DOUBLE_EQ(p.locator->width, 200);
    EXPECT_EQ(read_png(p.image).width, 2u);
    CheckReport report = check_profile(store, "an", [](const std::string&) { return false; });
    EXPECT_TRUE(report.ok());
}

TEST_F(ProfileStoreTest, RefusesToOverwriteWithoutForce) {
    ProfileStore store(home_);
    add_profile(store, request("an"));
    try {
        add_profile(store, request("an"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(e.hint().find("--force"), std::string::npos);
    }
    AddRequest r = request("an");
    r.display_name = "TRẦN THỊ B";
    r.force = true;
    EXPECT_FALSE(add_profile(store, r).created);
    EXPECT_EQ(store.load("an").display_name, "TRẦN THỊ B");
}

TEST_F(ProfileStoreTest, AddSignatureAppendsAndMovesDefault) {
    ProfileStore store(home_);
    add_profile(store, request("an"));
    AddRequest r;
    r.name = "an";
    r.add_signature = true;
    r.account = "001099012345";
    r.provider = "vnpt-smartca";
    r.settings = {{"sp-id-env", "VNPT_SP_ID"}, {"sp-password-env", "VNPT_SP_PASSWORD"}};
    r.make_default = true;
    AddResult res = add_profile(store, r);
    EXPECT_EQ(res.entry, 1u);
    Profile p = store.load("an");
    ASSERT_EQ(p.signatures.size(), 2u);
    EXPECT_EQ(p.default_signature().provider, "vnpt-smartca");
    // The same entry twice is refused; profile-level flags with --add-signature too.
    EXPECT_THROW(add_profile(store, r), Error);
    r.display_name = "X";
    r.account = "162952530";
    try {
        add_profile(store, r);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("--display-name"), std::string::npos);
    }
}

TEST_F(ProfileStoreTest, FlagErrorsAreUsageAndImageErrorsAreBadInput) {
    ProfileStore store(home_);
    auto kind_of = [&](const AddRequest& r) {
        try {
            add_profile(store, r);
        } catch (const Error& e) {
            return e.kind();
        }
        return ErrorKind::Internal;
    };
    AddRequest r = request("an");
    r.phone = "0241234567";
    EXPECT_EQ(kind_of(r), ErrorKind::Usage);
    r = request("an");
    r.provider = "vnpt-smartca"; // needs sp-id-env and sp-password-env
    EXPECT_EQ(kind_of(r), ErrorKind::Usage);
    r = request("an");
    r.display_name.reset();
    r.phone.reset();
    EXPECT_EQ(missing_add_flags(r), (std::vector<std::string>{"--display-name", "--phone"}));
    EXPECT_EQ(kind_of(r), ErrorKind::Usage);
    r = request("an");
    write(dir_ / "photo.jpg", "\xFF\xD8\xFF\xE0 not a png");
    r.image = "photo.jpg";
    EXPECT_EQ(kind_of(r), ErrorKind::BadInput);
    r.image = "missing.png";
    EXPECT_EQ(kind_of(r), ErrorKind::BadInput);
    EXPECT_FALSE(fs::exists(home_ / "profiles" / "an.yaml"));
}

TEST_F(ProfileStoreTest, FailedWriteLeavesOldProfileAndNoTemporaryFile) {
    ProfileStore store(home_);
    add_profile(store, request("an"));
    fs::path yaml = home_ / "profiles" / "an.yaml";
    std::string before;
    {
        std::ifstream in(yaml);
        before.assign(std::istreambuf_iterator<char>(in), {});
    }
    // A file size limit of 0 makes every write fail with EFBIG, even as root.
    struct rlimit old {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit zero = old;
    zero.rlim_cur = 0;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &zero), 0);
    AddRequest r = request("an");
    r.display_name = "CHANGED";
    r.force = true;
    EXPECT_THROW(add_profile(store, r), Error);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);

    std::ifstream in(yaml);
    std::string after(std::istreambuf_iterator<char>(in), {});
    EXPECT_EQ(after, before);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(home_ / "profiles"))
        names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"an.yaml"});
}

TEST_F(ProfileStoreTest, ListSkipsBrokenFilesAndRemoveDeletesImage) {
    write(dir_ / "sig.png", tiny_png());
    ProfileStore store(home_);
    AddRequest a = request("an");
    a.image = "sig.png";
    add_profile(store, a);
    AddRequest b = request("binh");
    b.account = "162952530";
    add_profile(store, b);
    write(home_ / "profiles" / "broken.yaml", "name: broken\nphone: [\n");
    write(home_ / "profiles" / "notes.txt", "ignored");
    std::vector<Error> problems;
    std::vector<Profile> all = store.list(&problems);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "an");
    EXPECT_EQ(all[1].name, "binh");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].file().find("broken.yaml"), std::string::npos);
    EXPECT_THROW(store.list(), Error);

    auto rows = list_rows(all);
    EXPECT_EQ(rows[1][4], "0010******45");
    nlohmann::json j = list_to_json(all, problems);
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["profiles"][1]["signatures"][0]["account_kind"], "CMND");

    store.remove("an");
    EXPECT_FALSE(fs::exists(home_ / "profiles" / "an.yaml"));
    EXPECT_FALSE(fs::exists(home_ / "profiles" / "an.png"));
    try {
        store.remove("an");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    }
}

TEST_F(ProfileStoreTest, LoadRefusesNameMismatchAndUnknownNames) {
    ProfileStore store(home_);
    add_profile(store, request("an"));
    fs::copy_file(home_ / "profiles" / "an.yaml", home_ / "profiles" / "other.yaml");
    EXPECT_THROW(store.load("other"), Error);
    EXPECT_NO_THROW(store.load((home_ / "profiles" / "other.yaml").string())); // as a file
    EXPECT_THROW(store.load("nobody"), Error);
    EXPECT_THROW(store.load("../x"), Error);
}

TEST_F(ProfileStoreTest, CheckExplainsEnvAndFiles) {
    write(dir_ / "ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    write(dir_ / "p.yaml", "name: p\ndisplay-name: P\nphone: '0912345678'\nimage: gone.png\n"
                           "signatures:\n"
                           "  - account: '001099012345'\n    provider: vnpt-smartca\n"
                           "    sp-id-env: SET_VAR\n    sp-password-env: UNSET_VAR\n"
                           "    ca-bundle: ca.pem\n"
                           "  - account: '001099012345'\n    provider: pkcs12\n"
                           "    pkcs12: missing.p12\n");
    ProfileStore store(home_);
    CheckReport r = check_profile(store, (dir_ / "p.yaml").string(),
                                  [](const std::string& n) { return n == "SET_VAR"; });
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.name, "p");
    auto find = [&](const std::string& id, CheckStatus status, const std::string& text) {
        for (const auto& item : r.items)
            if (item.id == id && item.status == status &&
                item.message.find(text) != std::string::npos)
                return true;
        return false;
    };
    EXPECT_TRUE(find("image", CheckStatus::Fail, "gone.png"));
    EXPECT_TRUE(find("signatures[1].env", CheckStatus::Ok, "SET_VAR is set"));
    EXPECT_TRUE(find("signatures[1].env", CheckStatus::Warn, "UNSET_VAR is not set"));
    EXPECT_TRUE(find("signatures[1].files", CheckStatus::Ok, "ca.pem"));
    EXPECT_TRUE(find("signatures[2].files", CheckStatus::Fail, "missing.p12 does not exist"));
    EXPECT_EQ(r.count(CheckStatus::Fail), 2u);
    EXPECT_EQ(check_to_json(r)["ok"], false);

    CheckReport bad = check_profile(store, "nobody");
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.items.at(0).id, "file");
}

TEST(ProfileBox, Parse) {
    EXPECT_EQ(parse_box("180x60"), (std::pair<double, double>{180, 60}));
    EXPECT_EQ(parse_box("90.5X30"), (std::pair<double, double>{90.5, 30}));
    EXPECT_THROW(parse_box("180"), Error);
    EXPECT_THROW(parse_box("0x60"), Error);
    EXPECT_THROW(parse_box("ax60"), Error);
}
