#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "shared/qr_png_file.hpp"
#include "temp_dir.hpp"

namespace otpd::cli {
namespace {

using otpd::test::TempDir;

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(length));
  return text;
}

std::string png_like(std::size_t extra) {
  std::string bytes = kPngSignature;
  for (std::size_t i = 0; i < extra; ++i) bytes += static_cast<char>(i * 7);
  return bytes;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(DecodePngDataUri, DecodesEveryPaddingAndAcrossChunks) {
  for (const std::size_t extra : {0U, 1U, 2U, 3U, 760U, 761U, 5000U}) {
    const std::string png = png_like(extra);
    const auto decoded = decode_png_data_uri("data:image/png;base64," + base64(png));
    ASSERT_TRUE(decoded) << extra;
    EXPECT_EQ(decoded->view(), png) << extra;
  }
}

TEST(DecodePngDataUri, RefusesWhatIsNotAPngDataUri) {
  EXPECT_FALSE(decode_png_data_uri("data:image/jpeg;base64," + base64(png_like(4))));
  EXPECT_FALSE(decode_png_data_uri("data:image/png;base64," + base64("GIF89a and more")));
  EXPECT_FALSE(decode_png_data_uri("data:image/png;base64,!!!!"));
  EXPECT_FALSE(decode_png_data_uri("data:image/png;base64,abc"));
  EXPECT_FALSE(decode_png_data_uri("data:image/png;base64,"));
}

TEST(WritePrivateFile, WritesTheBytesOwnerOnly) {
  const TempDir directory;
  const std::string path = (directory / "qr.png").string();
  ASSERT_TRUE(write_private_file(path, png_like(100)));
  EXPECT_EQ(read_file(path), png_like(100));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600U);
}

TEST(WritePrivateFile, ReplacesAWorldReadableFileAndALinkWithoutFollowing) {
  const TempDir directory;
  const std::string victim = (directory / "victim").string();
  const std::string readable = (directory / "readable.png").string();
  const std::string link = (directory / "link.png").string();
  std::ofstream(victim) << "keep me";
  std::ofstream(readable) << "old";
  ASSERT_EQ(::chmod(readable.c_str(), 0644), 0);
  std::filesystem::create_symlink(victim, link);

  ASSERT_TRUE(write_private_file(readable, "new"));
  ASSERT_TRUE(write_private_file(link, "new"));
  struct stat info {};
  ASSERT_EQ(::stat(readable.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600U);
  EXPECT_EQ(read_file(victim), "keep me");
  EXPECT_FALSE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read_file(link), "new");
}

TEST(WritePrivateFile, SaysWhyItCannotAndLeavesNothingBehind) {
  const TempDir directory;
  const auto result = write_private_file((directory / "missing/qr.png").string(), "x");
  ASSERT_FALSE(result);
  EXPECT_FALSE(result.error().empty());
  const std::string target_directory = (directory / "is-a-directory").string();
  std::filesystem::create_directory(target_directory);
  EXPECT_FALSE(write_private_file(target_directory, "x"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1U);  // only is-a-directory: no temporary file left
}

}  // namespace
}  // namespace otpd::cli
