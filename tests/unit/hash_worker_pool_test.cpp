// The worker threads that hash backup codes: the same hashes as inline, answers on
// the loop's own thread, a queue bounded in all and per owner, and a teardown that
// neither waits for the queue nor calls anyone back.
#include "service/hash_worker_pool.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sd_bus_handles.hpp"
#include "test_support.hpp"

namespace otpd {
namespace {

using test::must;

BackupCodeBatch batch_of(std::vector<std::string> codes, unsigned iterations = 1000) {
  BackupCodeBatch batch{{}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, iterations};
  for (auto& code : codes) batch.normalized_codes.emplace_back(std::move(code));
  return batch;
}

class HashWorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sd_event* raw = nullptr;
    ASSERT_GE(sd_event_new(&raw), 0);
    event.reset(raw);
  }

  std::unique_ptr<HashWorkerPool> start(const HashPoolLimits& limits = {}) {
    return must(HashWorkerPool::start(event.get(), limits), "HashWorkerPool::start");
  }

  // Runs the loop until `done` says so (or a generous bound passes: a failure).
  template <class Done>
  void run_until(Done done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done() && std::chrono::steady_clock::now() < give_up) ASSERT_GE(sd_event_run(event.get(), 100'000), 0);
    ASSERT_TRUE(done()) << "the pool did not answer";
  }

  SdEvent event;
};

TEST_F(HashWorkerPoolTest, HashesAsInlineAndAnswersOnTheLoopThread) {
  auto pool = start();
  const auto expected = must(hash_backup_code_batch(batch_of({"abcdefgh", "jkmnpqrs", "tuvwxyz2"})));
  std::optional<std::vector<BackupCodeHash>> got;
  std::thread::id answered_on;
  ASSERT_EQ(pool->submit("alice", batch_of({"abcdefgh", "jkmnpqrs", "tuvwxyz2"}),
                         [&](Expected<std::vector<BackupCodeHash>> hashes) {
                           answered_on = std::this_thread::get_id();
                           got = must(std::move(hashes));
                         }),
            HashAdmission::accepted);
  EXPECT_FALSE(got.has_value()) << "submit does not wait for the hashes";
  run_until([&] { return got.has_value(); });
  EXPECT_EQ(*got, expected);
  EXPECT_EQ(answered_on, std::this_thread::get_id());
  EXPECT_EQ(pool->batches_in_flight(), 0U);
}

TEST_F(HashWorkerPoolTest, ManyBatchesAllAnswerOnceEach) {
  auto pool = start(HashPoolLimits{2, 8, 8});
  std::vector<int> answers(8, 0);
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(pool->submit("u" + std::to_string(i % 3), batch_of({"abcdefgh", "23456789"}),
                           [&answers, i](Expected<std::vector<BackupCodeHash>> hashes) {
                             EXPECT_TRUE(hashes.has_value());
                             ++answers[static_cast<std::size_t>(i)];
                           }),
              HashAdmission::accepted);
  }
  run_until([&] { return pool->batches_in_flight() == 0; });
  EXPECT_EQ(answers, std::vector<int>(8, 1));
}

// Batches count until their answer is delivered on the loop, so without running
// the loop the counts cannot move, however fast the workers are.
TEST_F(HashWorkerPoolTest, TheQueueIsBoundedPerOwnerAndInAll) {
  auto pool = start(HashPoolLimits{1, 4, 2});
  int answered = 0;
  auto count = [&answered](Expected<std::vector<BackupCodeHash>>) { ++answered; };
  EXPECT_EQ(pool->submit("alice", batch_of({"abcdefgh"}), count), HashAdmission::accepted);
  EXPECT_EQ(pool->submit("alice", batch_of({"abcdefgh"}), count), HashAdmission::accepted);
  EXPECT_EQ(pool->submit("alice", batch_of({"abcdefgh"}), count), HashAdmission::owner_busy);
  EXPECT_EQ(pool->submit("bob", batch_of({"abcdefgh"}), count), HashAdmission::accepted);
  EXPECT_EQ(pool->submit("carol", batch_of({"abcdefgh"}), count), HashAdmission::accepted);
  EXPECT_EQ(pool->submit("dave", batch_of({"abcdefgh"}), count), HashAdmission::all_busy);
  EXPECT_EQ(pool->batches_in_flight(), 4U);

  run_until([&] { return answered == 4; });
  EXPECT_EQ(pool->submit("alice", batch_of({"abcdefgh"}), count), HashAdmission::accepted) << "room again";
  EXPECT_EQ(pool->submit("dave", batch_of({"abcdefgh"}), count), HashAdmission::accepted);
  run_until([&] { return answered == 6; });
}

TEST_F(HashWorkerPoolTest, TeardownWithBatchesRunningAndWaitingCallsNobody) {
  int answered = 0;
  {
    auto pool = start(HashPoolLimits{2, 8, 8});
    for (int i = 0; i < 6; ++i) {
      // Full-strength batches: the workers are surely inside one when the pool goes.
      ASSERT_EQ(pool->submit("alice", batch_of({"abcdefgh", "jkmnpqrs", "tuvwxyz2"}, kBackupCodeKdfIterations),
                             [&answered](Expected<std::vector<BackupCodeHash>>) { ++answered; }),
                HashAdmission::accepted);
    }
  }
  EXPECT_EQ(answered, 0);
  // What the workers signalled before they stopped is gone with the pool: the loop
  // has nothing left to run for it.
  EXPECT_EQ(sd_event_run(event.get(), 0), 0);
  EXPECT_EQ(answered, 0);
}

TEST_F(HashWorkerPoolTest, AStoppedBatchIsAnErrorNeverPartOfASet) {
  std::atomic<bool> stop{true};
  const auto stopped = hash_backup_code_batch(batch_of({"abcdefgh", "jkmnpqrs"}), &stop);
  EXPECT_FALSE(stopped.has_value());
}

}  // namespace
}  // namespace otpd
