// Witnessing through the binaries: a partner's witness (`clearway witness cosign`) checks the
// demo log's checkpoints and hands its cosignature in; the log serves it; `clearway ledger
// checkpoint --witness` requires it. A second log under the same key with another history (a
// split view) is caught as a fork, loudly, with the evidence kept.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "demo_process.h"

namespace clearway::e2e {
namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

size_t SignatureLines(const std::string& note) {
  size_t count = 0;
  for (size_t at = note.find("\xE2\x80\x94 "); at != std::string::npos;
       at = note.find("\xE2\x80\x94 ", at + 1)) {
    ++count;
  }
  return count;
}

class WitnessCliTest : public DemoProcessTest {
 protected:
  void SetUp() override {
    DemoProcessTest::SetUp();
    if (HasFatalFailure()) return;
    auto key = Cli("ledger key --data-dir " + Var());
    ASSERT_EQ(key.exit_code, 0) << key.output;
    log_key_ = FirstLine(key.output);
  }

  // WaitForSeededCheckpoint() waits (15 s at most) until the log has signed a checkpoint that
  // covers the demo's declarations: a witness that has seen only the empty tree cannot tell one
  // history from another.
  void WaitForSeededCheckpoint() {
    for (int i = 0; i < 150; ++i) {
      auto note = Cli("ledger checkpoint");
      size_t first = note.output.find('\n');
      if (note.exit_code == 0 && first != std::string::npos &&
          std::atoll(note.output.substr(first + 1).c_str()) > 0) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the demo signed no checkpoint of its declarations";
  }

  CommandResult Cosign(const std::string& key_file, const std::string& extra = "") {
    return Cli("witness cosign --key-file " + key_file + " --state " + dir_ +
               "/state.json --log-key '" + log_key_ + "' " + extra);
  }

  std::string log_key_;
};

TEST_F(WitnessCliTest, PartnerWitnessCosignsAndTheLogServesTheCosignature) {
  const std::string partner_key = Var() + "/witness/key";  // the demo trusts this witness
  auto round = Cosign(partner_key);
  ASSERT_EQ(round.exit_code, 0) << round.output;
  EXPECT_NE(round.output.find("cosigned clearway.example/demo"), std::string::npos);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/state.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto witness = Cli("witness key --key-file " + partner_key);
  ASSERT_EQ(witness.exit_code, 0) << witness.output;
  const std::string witness_key = FirstLine(witness.output);
  auto checkpoint =
      Cli("ledger checkpoint --key '" + log_key_ + "' --witness '" + witness_key + "'");
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.output;
  EXPECT_EQ(SignatureLines(checkpoint.output), 2u) << checkpoint.output;

  // A second round on an unchanged log is consistent with the first and changes nothing.
  auto again = Cosign(partner_key);
  EXPECT_EQ(again.exit_code, 0) << again.output;

  // A witness the log does not trust is refused, and its checkpoint check fails.
  const std::string stranger_key = dir_ + "/stranger-key";
  auto stranger = Cli("witness key --key-file " + stranger_key + " --name witness.stranger.example");
  ASSERT_EQ(stranger.exit_code, 0) << stranger.output;
  auto refused = Cli("witness cosign --key-file " + stranger_key + " --state " + dir_ +
                     "/stranger-state.json --log-key '" + log_key_ + "'");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("unknown-witness"), std::string::npos) << refused.output;
  auto unmet = Cli("ledger checkpoint --key '" + log_key_ + "' --witness '" +
                   FirstLine(stranger.output) + "'");
  EXPECT_EQ(unmet.exit_code, 1) << unmet.output;
}

TEST_F(WitnessCliTest, ASecondHistoryUnderTheSameKeyIsCaughtAsAFork) {
  const std::string partner_key = Var() + "/witness/key";
  WaitForSeededCheckpoint();
  ASSERT_EQ(Cosign(partner_key).exit_code, 0);

  // Another node with the same log key and its own declarations: a split view.
  const std::string other_dir = FreshTempDir("clearway-fork-");
  std::filesystem::create_directories(other_dir + "/var");
  std::filesystem::copy_file(Var() + "/ledger-key", other_dir + "/var/ledger-key");
  std::filesystem::permissions(other_dir + "/var/ledger-key", std::filesystem::perms::owner_read |
                                                                  std::filesystem::perms::owner_write);
  DemoChild other;
  ASSERT_TRUE(other.Start(other_dir + "/var", other_dir + "/server.log")) << other.banner();
  auto fork = Shell("CLEARWAY_URL=" + other.url() + " CLEARWAY_CA_CERT=" + other_dir +
                    "/var/tls/cert.pem " + Binary() + " witness cosign --key-file " + partner_key +
                    " --state " + dir_ + "/state.json --log-key '" + log_key_ + "'");
  other.Stop();
  std::filesystem::remove_all(other_dir);

  EXPECT_EQ(fork.exit_code, 1) << fork.output;
  EXPECT_NE(fork.output.find("FORK DETECTED"), std::string::npos) << fork.output;
  std::string state = ReadFile(dir_ + "/state.json");
  EXPECT_NE(state.find("\"forks\":[{"), std::string::npos) << state;
  // The witness still holds the first log's checkpoint and goes on cosigning it.
  EXPECT_EQ(Cosign(partner_key).exit_code, 0);
}

}  // namespace
}  // namespace clearway::e2e
