// Sign-in timing by outcome: the enumeration check of issue 4. An unknown user, a disabled
// user, a service account and a wrong password must cost the same as each other (one Argon2id
// verification each), so that the time of a refusal does not tell whether the username exists.
// A correct password is the baseline: it does the same Argon2id work plus issuing a session.
//
//   build/release/bench/signin_bench --benchmark_min_time=1
//
// Report the ratios against `right_password` (and against each other), measured in the same run:
// they should all be within a few percent of 1. Each iteration moves a fake clock a day forward
// and comes from a fresh source address, so backoff and lockout never short-cut the work.
#include <benchmark/benchmark.h>

#include <string>

#include "app/identity_service.h"
#include "app/security_log.h"
#include "common/time.h"
#include "crypto/crypto.h"
#include "identity/in_memory_directory.h"

namespace clearway {
namespace {

constexpr char kPassword[] = "correct horse battery staple";

struct Fixture {
  Fixture() {
    const Timestamp now = clock.Now();
    (void)directory.AddOrganisation({"DE987654321000001", "Nordfleisch Import AG",
                                     identity::OrganisationKind::kTrader, false, now});
    const std::string hash = crypto::HashPassword(kPassword).value();
    for (const char* name : {"clerk", "gone"}) {
      identity::StoredUser user;
      user.username = name;
      user.organisation_id = "DE987654321000001";
      user.role = identity::Role::kDeclarant;
      user.password_hash = hash;
      user.created_at = now;
      (void)directory.AddUser(user);
    }
    (void)directory.SetDisabled("gone", true);
    identity::StoredUser machine;
    machine.username = "machine";
    machine.organisation_id = "DE987654321000001";
    machine.role = identity::Role::kDeclarant;
    machine.service_account = true;
    (void)directory.AddUser(machine);
  }

  FakeClock clock{*ParseTimestamp("2026-11-24T10:00:00Z")};
  identity::InMemoryIdentityStore directory;
  app::SecurityLog log;
  app::IdentityService service{directory, clock, log};
};

void SignIn(benchmark::State& state, const char* username, const char* password,
            bool expect_success) {
  Fixture fixture;
  uint64_t source = 0;
  int64_t wrong_outcomes = 0;
  for (auto _ : state) {
    fixture.clock.Advance(std::chrono::hours(24));
    ++source;
    const std::string address = "10." + std::to_string((source >> 16) & 255) + "." +
                                std::to_string((source >> 8) & 255) + "." +
                                std::to_string(source & 255);
    auto result = fixture.service.SignIn({username, password, "", ""}, {address, "bench"});
    if (result.ok() != expect_success ||
        (!expect_success && result.error().reason != "bad-credentials")) {
      ++wrong_outcomes;
    }
    benchmark::DoNotOptimize(result);
  }
  // Any other outcome (a backoff, say) would make the timing meaningless: report it.
  state.counters["unexpected_outcomes"] = static_cast<double>(wrong_outcomes);
}

void BM_SignIn_RightPassword(benchmark::State& state) {
  SignIn(state, "clerk", kPassword, true);
}
void BM_SignIn_WrongPassword(benchmark::State& state) {
  SignIn(state, "clerk", "not the password at all", false);
}
void BM_SignIn_UnknownUser(benchmark::State& state) {
  SignIn(state, "nobody.here", "not the password at all", false);
}
void BM_SignIn_DisabledUser(benchmark::State& state) {
  SignIn(state, "gone", kPassword, false);
}
void BM_SignIn_ServiceAccount(benchmark::State& state) {
  SignIn(state, "machine", "not the password at all", false);
}

BENCHMARK(BM_SignIn_RightPassword)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_SignIn_WrongPassword)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_SignIn_UnknownUser)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_SignIn_DisabledUser)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_SignIn_ServiceAccount)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
}  // namespace clearway
