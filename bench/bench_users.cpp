// bench_users: N bench users with fresh random 160-bit secrets, in the form each
// module under test reads them.
//
//   bench_users --count N --prefix NAME --dir DIR --format tsv|ga|oath|oath-shared
//
// Always writes DIR/users.tsv ("name base32", what pam_bench and otpd_import read),
// and for
//   ga           DIR/ga/NAME: google-authenticator's file, TOTP, DISALLOW_REUSE,
//                WINDOW_SIZE 3 (one step either side, as otpd's window = 1), 0400
//   oath         DIR/oath/NAME: one pam_oath usersfile per user, 0600
//   oath-shared  DIR/users.oath: one pam_oath usersfile for everybody, 0600
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
  std::size_t count = 0;
  std::string prefix = "bench";
  std::string dir;
  std::string format = "tsv";
};

std::string base32(const std::vector<unsigned char>& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string hex(const std::vector<unsigned char>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::close(fd) != 0) {
    throw std::runtime_error("cannot write " + path);
  }
}

std::string oath_line(const std::string& name, const std::vector<unsigned char>& secret) {
  return "HOTP/T30\t" + name + "\t-\t" + hex(secret) + "\n";
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--count")
      options.count = std::stoul(value);
    else if (flag == "--prefix")
      options.prefix = value;
    else if (flag == "--dir")
      options.dir = value;
    else if (flag == "--format")
      options.format = value;
    else
      throw std::runtime_error("unknown option " + flag);
  }
  const bool known =
      options.format == "tsv" || options.format == "ga" || options.format == "oath" || options.format == "oath-shared";
  if (options.count == 0 || options.dir.empty() || !known) {
    throw std::runtime_error("usage: bench_users --count N --prefix NAME --dir DIR --format tsv|ga|oath|oath-shared");
  }
  return options;
}

void run(const Options& options) {
  const std::string subdir = options.format == "ga" ? "/ga" : options.format == "oath" ? "/oath" : "";
  if (!subdir.empty()) ::mkdir((options.dir + subdir).c_str(), 0700);
  std::string tsv;
  std::string shared;
  for (std::size_t i = 0; i < options.count; ++i) {
    const std::string name = options.prefix + std::to_string(i);
    std::vector<unsigned char> secret(20);
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    tsv += name + " " + base32(secret) + "\n";
    if (options.format == "ga") {
      write_file(options.dir + "/ga/" + name, base32(secret) + "\n\" TOTP_AUTH\n\" DISALLOW_REUSE\n\" WINDOW_SIZE 3\n",
                 0400);
    } else if (options.format == "oath") {
      write_file(options.dir + "/oath/" + name, oath_line(name, secret), 0600);
    } else if (options.format == "oath-shared") {
      shared += oath_line(name, secret);
    }
  }
  write_file(options.dir + "/users.tsv", tsv, 0600);
  if (options.format == "oath-shared") write_file(options.dir + "/users.oath", shared, 0600);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    run(parse(argc, argv));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_users: %s\n", e.what());
    return 1;
  }
}
