// fsync_probe: what one durable write costs on this file system, three ways:
//   append     4 KiB appended, then fdatasync (a growing file: the size changes, so
//              the journal commits too; SQLite's WAL until it wraps)
//   overwrite  4 KiB rewritten in place in a preallocated file, then fdatasync
//              (SQLite's WAL once it is reused after a checkpoint)
//   newfile    create NAME~, write 100 bytes, fsync, close, rename over NAME (what
//              google-authenticator and pam_oath do on every login)
//
//   fsync_probe --dir DIR [--count N] [--mode append|overwrite|newfile]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

bool one(int fd, const std::string& mode, const std::string& dir, std::size_t i, const std::vector<char>& page) {
  if (mode == "append") {
    return ::write(fd, page.data(), page.size()) == static_cast<ssize_t>(page.size()) && ::fdatasync(fd) == 0;
  }
  if (mode == "overwrite") {
    const auto offset = static_cast<off_t>((i % 256) * page.size());
    return ::pwrite(fd, page.data(), page.size(), offset) == static_cast<ssize_t>(page.size()) && ::fdatasync(fd) == 0;
  }
  const std::string name = dir + "/probe-file";
  const std::string temporary = name + "~";
  const int file = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (file < 0) return false;
  const bool ok = ::write(file, page.data(), 100) == 100 && ::fsync(file) == 0;
  return ::close(file) == 0 && ok && ::rename(temporary.c_str(), name.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string mode = "append";
  std::size_t count = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--count")
      count = std::stoul(argv[i + 1]);
    else if (flag == "--mode")
      mode = argv[i + 1];
  }
  if (dir.empty() || count == 0 || (mode != "append" && mode != "overwrite" && mode != "newfile")) {
    std::fprintf(stderr, "usage: fsync_probe --dir DIR [--count N] [--mode append|overwrite|newfile]\n");
    return 2;
  }
  const std::string path = dir + "/probe-log";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::vector<char> page(4096, 'x');
  if (fd < 0 || (mode == "overwrite" && (::posix_fallocate(fd, 0, 256 * 4096) != 0 || ::fsync(fd) != 0))) {
    std::perror("fsync_probe: open");
    return 1;
  }
  std::vector<double> micros;
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!one(fd, mode, dir, i, page)) {
      std::perror("fsync_probe: write/sync");
      return 1;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  ::unlink((dir + "/probe-file").c_str());
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1))]; };
  double sum = 0;
  for (double m : micros) sum += m;
  std::printf("FSYNC\t%s\t%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", mode.c_str(), count, sum / static_cast<double>(count),
              at(0.5), at(0.9), at(0.99), micros.back());
  std::fprintf(stderr, "%-9s %zu times: mean %.0f us, p50 %.0f, p90 %.0f, p99 %.0f, max %.0f us\n", mode.c_str(), count,
               sum / static_cast<double>(count), at(0.5), at(0.9), at(0.99), micros.back());
  return 0;
}
