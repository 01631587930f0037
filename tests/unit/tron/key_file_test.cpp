// Key files: content and permission rules, never overwritten.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <btt/tron/io/key_file.h>
#include <btt/tron/io/random.h>

namespace {

using btt::tron::io::KeyFileError;
namespace fs = std::filesystem;

class KeyFile : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "btt-key-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string write(const std::string& name, const std::string& content, mode_t mode) {
        const auto path = (fs::path(m_dir) / name).string();
        std::ofstream(path) << content;
        chmod(path.c_str(), mode);
        return path;
    }
    fs::path m_dir;
};

const std::string kHex = "783825822a6f9e62da2190e828e4c9d2576e5977e3a0b3620b092dfb9e9996fa";

TEST_F(KeyFile, ReadsSixtyFourHexWithOrWithoutNewline) {
    const auto a = btt::tron::io::read_private_key_file(write("a", kHex, 0600));
    const auto b = btt::tron::io::read_private_key_file(write("b", kHex + "\n", 0400));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->address().to_base58(), "TM7W9ZiVQPpxjyqSXhTGgE3vAZNENsxHDc");
    EXPECT_EQ(b->address(), a->address());
}

TEST_F(KeyFile, RefusesFilesOthersCanRead) {
    for (mode_t mode : {0640u, 0604u, 0660u, 0644u, 0704u}) {
        const auto r = btt::tron::io::read_private_key_file(write("open", kHex, mode));
        ASSERT_FALSE(r) << std::oct << mode;
        EXPECT_EQ(r.error().kind, KeyFileError::Kind::TooOpen);
        EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos);
        fs::remove(m_dir / "open");
    }
}

TEST_F(KeyFile, RefusesBadContent) {
    for (const std::string& content :
         {kHex + "\n\n", kHex.substr(0, 63), " " + kHex, kHex.substr(0, 63) + "g", std::string(64, '0')}) {
        const auto r = btt::tron::io::read_private_key_file(write("bad", content, 0600));
        ASSERT_FALSE(r) << content;
        EXPECT_EQ(r.error().kind, KeyFileError::Kind::BadContent);
        fs::remove(m_dir / "bad");
    }
    const auto missing = btt::tron::io::read_private_key_file((m_dir / "none").string());
    EXPECT_EQ(missing.error().kind, KeyFileError::Kind::CannotOpen);
}

TEST_F(KeyFile, WritesMode0600AndNeverOverwrites) {
    const auto key = btt::tron::io::generate_private_key();
    const auto path = (m_dir / "new.key").string();
    ASSERT_TRUE(btt::tron::io::write_private_key_file(path, key));
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(btt::tron::io::read_private_key_file(path)->address(), key.address());
    EXPECT_FALSE(btt::tron::io::write_private_key_file(path, key));
}

TEST(RandomKeys, AreDistinctAndValid) {
    btt::tron::io::randomize_signing_context();
    const auto a = btt::tron::io::generate_private_key();
    const auto b = btt::tron::io::generate_private_key();
    EXPECT_NE(a.address(), b.address());
}

}  // namespace
