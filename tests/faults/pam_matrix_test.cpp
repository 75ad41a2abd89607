// The PAM return-code matrix: every fault that reaches a login, under three common
// stacks, through the real libpam under pam_wrapper, against the real otpd (or the
// fake one for what otpd never sends). The rule it checks: a stack succeeds only for
// an accepted code, or with nullok for a user who is truly not enrolled; and what
// pam_otp.so itself returned for each fault.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include "bus_client.hpp"
#include "enrollment.hpp"
#include "otpd_daemon.hpp"
#include "pam_harness.hpp"
#include "patience.hpp"
#include "permissive_bus.hpp"
#include "private_bus.hpp"
#include "ready_child.hpp"
#include "run_as.hpp"
#include "tmpfs_mount.hpp"

namespace otpd::pam::test {
namespace {

namespace support = otpd::test;

constexpr const char* kEnrolledUser = "daemon";
constexpr const char* kUnenrolledUser = "bin";
// A wider window than the default leaves four fresh codes after enrollment (which
// confirms with the step before now): one for each stack a row runs.
constexpr const char* kOtpdConfig = "[totp]\nwindow = 3\n";
constexpr std::size_t kSmallDisk = 1024 * 1024;

// The stacks, by how pam_otp.so sits in them.
enum class Stack { alone, sufficient, required, skip_on_success };
constexpr Stack kStacks[] = {Stack::alone, Stack::sufficient, Stack::required, Stack::skip_on_success};

std::string service(Stack stack, bool nullok) {
  static const char* const kNames[] = {"alone", "sufficient", "required", "skip"};
  return std::string(kNames[static_cast<int>(stack)]) + (nullok ? "_nullok" : "");
}

PamStacks stacks() {
  PamStacks all;
  // Short, so that the faults where otpd never answers end soon; not a bound this test
  // proves, so a checker's patience stretches it (a right backup code is one PBKDF2,
  // seconds under memcheck).
  const std::string timeout = "timeout=" + std::to_string(otpd::test::patient(std::chrono::milliseconds(1000)).count());
  for (const bool nullok : {false, true}) {
    const std::string options = nullok ? "nullok " + timeout : timeout;
    all[service(Stack::alone, nullok)] = {otp_line(options)};
    all[service(Stack::sufficient, nullok)] = {otp_line(options, "sufficient"), "auth required pam_deny.so"};
    all[service(Stack::required, nullok)] = {otp_line(options, "required"), "auth required pam_permit.so"};
    all[service(Stack::skip_on_success, nullok)] = {otp_line(options, "[success=1 default=ignore]"),
                                                    "auth requisite pam_deny.so", "auth required pam_permit.so"};
  }
  return all;
}

// What libpam makes of the module's result in each stack.
int stack_result(Stack stack, int module_result) {
  const bool passed = module_result == PAM_SUCCESS;
  switch (stack) {
    // A stack in which every module ignored fails with PAM_PERM_DENIED; pam_otp.so
    // itself never returns that, so here it stands for the module's PAM_IGNORE.
    case Stack::alone: return module_result == PAM_IGNORE ? PAM_PERM_DENIED : module_result;
    case Stack::sufficient: return passed ? PAM_SUCCESS : PAM_AUTH_ERR;
    case Stack::required: return passed || module_result == PAM_IGNORE ? PAM_SUCCESS : module_result;
    case Stack::skip_on_success: return passed ? PAM_SUCCESS : PAM_AUTH_ERR;
  }
  return PAM_SYSTEM_ERR;
}

// One world: a private system bus, the real otpd (its state on a small tmpfs when
// asked), an enrolled user, and whatever stands in for otpd when a row needs it.
struct Scene {
  explicit Scene(bool small_disk, bool permissive_bus)
      : disk(small_disk ? std::make_unique<support::TmpfsMount>(dir / "state", kSmallDisk) : nullptr),
        bus(dir, permissive_bus ? std::vector{support::permissive_test_policy_file()}
                                : std::vector<std::filesystem::path>{}),
        otpd(dir, bus.address(), kOtpdConfig),
        enrolled(support::enroll_as_root(otpd.paths().socket, kEnrolledUser)) {}

  void start_impostor(const Strings& arguments, std::optional<uid_t> uid = std::nullopt) {
    otpd.stop();
    Strings argv{path_from_env("FAKE_OTPD")};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    impostor = std::make_unique<ReadyChild>(argv, uid);
  }
  void remove_database() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(otpd.paths().database.string() + suffix);
  }

  support::TempDir dir;
  std::unique_ptr<support::TmpfsMount> disk;
  support::PrivateBus bus;
  support::OtpdDaemon otpd;
  support::Enrolled enrolled;
  std::unique_ptr<ReadyChild> impostor;
  std::string bus_address_override;  // a bus that is gone
};

struct Row {
  const char* name;
  int module_result;  // pam_otp.so's own answer, without nullok
  int module_result_with_nullok;
  bool accepted_code = false;  // the one kind of row that may pass every stack
  const char* user = kEnrolledUser;
  std::function<void(Scene&)> arrange = [](Scene&) {};
  // The code typed in the `run`th stack (0..3); by default a right TOTP code.
  std::function<std::string(Scene&, int run)> answer = [](Scene& scene, int run) {
    return support::totp_code(scene.enrolled.secret, run);
  };
  bool small_disk = false;
  bool permissive_bus = false;
};

std::ostream& operator<<(std::ostream& out, const Row& row) { return out << row.name; }

const Row kRows[] = {
    {.name = "right_code",
     .module_result = PAM_SUCCESS,
     .module_result_with_nullok = PAM_SUCCESS,
     .accepted_code = true},
    {.name = "right_backup_code",
     .module_result = PAM_SUCCESS,
     .module_result_with_nullok = PAM_SUCCESS,
     .accepted_code = true,
     .answer = [](Scene& scene, int run) { return scene.enrolled.backup_codes.at(static_cast<std::size_t>(run)); }},
    {.name = "wrong_code",
     .module_result = PAM_AUTH_ERR,
     .module_result_with_nullok = PAM_AUTH_ERR,
     .answer = [](Scene& scene, int) { return support::wrong_totp_code(scene.enrolled.secret); }},
    {.name = "replayed_code",
     .module_result = PAM_AUTH_ERR,
     .module_result_with_nullok = PAM_AUTH_ERR,
     .arrange =
         [](Scene& scene) {
           ASSERT_EQ(
               support::bus_verify(scene.bus.address(), kEnrolledUser, support::totp_code(scene.enrolled.secret, 3))
                   .outcome,
               "ok");
         },
     .answer = [](Scene& scene, int) { return support::totp_code(scene.enrolled.secret, 3); }},
    {.name = "locked_out",
     .module_result = PAM_MAXTRIES,
     .module_result_with_nullok = PAM_MAXTRIES,
     .arrange =
         [](Scene& scene) {
           for (int attempt = 0; attempt < 5; ++attempt) {
             (void)support::bus_verify(scene.bus.address(), kEnrolledUser,
                                       support::wrong_totp_code(scene.enrolled.secret));
           }
         }},
    {.name = "not_enrolled",
     .module_result = PAM_AUTH_ERR,
     .module_result_with_nullok = PAM_IGNORE,
     .user = kUnenrolledUser},
    {.name = "otpd_stopped",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange = [](Scene& scene) { scene.otpd.stop(); }},
    {.name = "otpd_frozen",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange = [](Scene& scene) { scene.otpd.process().signal(SIGSTOP); }},
    {.name = "bus_daemon_gone",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange = [](Scene& scene) { scene.bus_address_override = "unix:path=" + (scene.dir / "no-bus-here").string(); }},
    {.name = "bus_name_owned_by_non_root",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange =
         [](Scene& scene) {
           scene.start_impostor({"--outcome", "ok"}, kNobody);
         },
     .permissive_bus = true},
    {.name = "malformed_reply",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange =
         [](Scene& scene) {
           scene.start_impostor({"--verify", "malformed"});
         }},
    {.name = "disk_full",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange = [](Scene& scene) { scene.disk->fill(); },
     .small_disk = true},
    {.name = "database_deleted_under_otpd",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange = [](Scene& scene) { scene.remove_database(); }},
    {.name = "database_corrupt",
     .module_result = PAM_AUTHINFO_UNAVAIL,
     .module_result_with_nullok = PAM_AUTHINFO_UNAVAIL,
     .arrange =
         [](Scene& scene) {
           scene.otpd.stop();
           std::fstream file(scene.otpd.paths().database, std::ios::in | std::ios::out | std::ios::binary);
           file.seekp(4096);
           file << std::string(8192, '\xa5');
           file.close();
           EXPECT_THROW(scene.otpd.start(), std::runtime_error) << "otpd refuses a corrupt database";
         }},
};

class PamMatrixTest : public ::testing::TestWithParam<std::tuple<Row, bool>> {
 protected:
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "the real otpd on a private system bus needs root";
    const Row& row = std::get<0>(GetParam());
    scene_ = std::make_unique<Scene>(row.small_disk, row.permissive_bus);
    setenv("DBUS_SYSTEM_BUS_ADDRESS", scene_->bus.address().c_str(), 1);
    row.arrange(*scene_);
    if (!scene_->bus_address_override.empty()) {
      setenv("DBUS_SYSTEM_BUS_ADDRESS", scene_->bus_address_override.c_str(), 1);
    }
  }
  void TearDown() override { unsetenv("DBUS_SYSTEM_BUS_ADDRESS"); }

  std::unique_ptr<Scene> scene_;
};

TEST_P(PamMatrixTest, OnlyAnAcceptedCodeOrNullokForTheUnenrolledPasses) {
  const auto& [row, nullok] = GetParam();
  const int module_result = nullok ? row.module_result_with_nullok : row.module_result;
  for (int run = 0; run < static_cast<int>(std::size(kStacks)); ++run) {
    const Stack stack = kStacks[run];
    const int expected = stack_result(stack, module_result);
    Conversation conversation{{row.answer(*scene_, run)}};
    const int result = authenticate(service(stack, nullok), row.user, conversation, expected).result;
    EXPECT_EQ(result, expected) << service(stack, nullok) << ": pam_otp.so should have returned " << module_result;
    const bool may_pass = row.accepted_code || (nullok && module_result == PAM_IGNORE);
    if (!may_pass) {
      EXPECT_NE(result, PAM_SUCCESS) << service(stack, nullok) << " let a " << row.name << " in";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, PamMatrixTest, ::testing::Combine(::testing::ValuesIn(kRows), ::testing::Bool()),
                         [](const auto& row_info) {
                           return std::string(std::get<0>(row_info.param).name) +
                                  (std::get<1>(row_info.param) ? "_nullok" : "");
                         });

}  // namespace
}  // namespace otpd::pam::test

int main(int argc, char** argv) {
  return otpd::pam::test::run_tests_under_pam_wrapper(argc, argv, otpd::pam::test::stacks());
}
