#include "cli/witness_commands.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/client.h"
#include "app/ledger_key.h"
#include "app/witness_state.h"
#include "cli/output.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "ledger/checkpoint.h"
#include "ledger/witness.h"

namespace clearway::cli {

namespace {

namespace json = boost::json;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;


Result<std::unique_ptr<api::HttpsClient>> Connect(const WitnessFlags& flags, std::string& base) {
  CW_ASSIGN_OR_RETURN(api::HttpsUrl url, api::ParseHttpsUrl(FromEnv(flags.url, "CLEARWAY_URL",
                                                                    "https://127.0.0.1:8443")));
  api::ClientOptions options;
  options.host = url.host;
  options.port = url.port;
  options.ca_file = FromEnv(flags.ca_cert, "CLEARWAY_CA_CERT");
  if (options.ca_file.empty() && std::filesystem::exists("var/tls/cert.pem")) {
    options.ca_file = "var/tls/cert.pem";
  }
  base = url.base_path;
  return api::HttpsClient::Open(options);
}

Result<std::vector<ledger::Hash>> HexHashes(const json::value* list) {
  Error bad = Error::InvalidArgument("hashes", "malformed-proof", "the log sent a malformed proof");
  if (list == nullptr || !list->is_array()) return bad;
  std::vector<ledger::Hash> out;
  for (const json::value& item : list->get_array()) {
    if (!item.is_string()) return bad;
    auto bytes = crypto::FromHex(item.get_string());
    if (!bytes.ok() || bytes->size() != 32) return bad;
    ledger::Hash hash{};
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    out.push_back(hash);
  }
  return out;
}

// ReportFork() is loud on purpose: a log showing two histories is the event witnesses exist
// to catch.
int ReportFork(const std::string& origin, const std::string& cosigned, const std::string& refused,
               const std::string& why, app::WitnessState& state, const WitnessFlags& flags) {
  std::cerr << "\n*** FORK DETECTED in the log " << origin << " ***\n"
            << why << "\n\nlast checkpoint cosigned:\n"
            << cosigned << "\ncheckpoint refused:\n"
            << refused << "\nThe evidence is kept in " << flags.state_file
            << "; alert the log's operator and the other witnesses.\n";
  state.forks.push_back(app::ForkRecord{origin, cosigned, refused, SystemClock().Now()});
  Status saved = app::SaveWitnessState(flags.state_file, state);
  if (!saved.ok()) Trouble(saved.error(), kCannotRun);
  return kRefused;
}

}  // namespace

int WitnessKeyCommand(const WitnessFlags& flags) {
  std::filesystem::path dir = std::filesystem::path(flags.key_file).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  auto key = app::LoadOrCreateWitnessKey(flags.key_file, flags.name);
  if (!key.ok()) return Trouble(key.error(), kCannotRun);
  std::cout << ledger::FormatVerifierKey(key->verifier_key) << "\n";
  return kDone;
}

int WitnessCosignCommand(const WitnessFlags& flags) {
  auto key = app::LoadOrCreateWitnessKey(flags.key_file, flags.name);
  if (!key.ok()) return Trouble(key.error(), kCannotRun);
  auto log_key = VerifierKeyOf(flags.log_key, "--log-key");
  if (!log_key.ok()) return Trouble(log_key.error(), kCannotRun);
  auto state = app::LoadWitnessState(flags.state_file);
  if (!state.ok()) return Trouble(state.error(), kCannotRun);
  const std::string origin = log_key->name;

  auto cosigner = ledger::Cosigner::New(key->origin, key->signer.get());
  if (!cosigner.ok()) return Trouble(cosigner.error(), kCannotRun);
  SystemClock clock;
  ledger::Witness witness(*std::move(cosigner), &clock);
  if (Status added = witness.AddLog(origin, *log_key); !added.ok()) {
    return Trouble(added.error(), kCannotRun);
  }
  std::string last_note;
  uint64_t old_size = 0;
  if (auto found = state->last_cosigned.find(origin); found != state->last_cosigned.end()) {
    last_note = found->second;
    auto opened = ledger::OpenCheckpoint(last_note, *log_key);
    if (!opened.ok()) return Trouble(opened.error(), kCannotRun);
    old_size = opened->checkpoint.size;
    if (Status restored = witness.RestoreCosigned(opened->checkpoint); !restored.ok()) {
      return Trouble(restored.error(), kCannotRun);
    }
  }

  std::string base;
  auto client = Connect(flags, base);
  if (!client.ok()) return Trouble(client.error(), kCannotRun);
  json::object ask{{"old_size", old_size}};
  if (!last_note.empty()) ask["checkpoint"] = last_note;
  auto answer =
      (*client)->Request("POST", base + "/v1/ledger/witness/consistency", json::serialize(ask));
  if (!answer.ok()) return Trouble(answer.error(), kCannotRun);
  if (answer->status != 200) {
    if (answer->body.find("fork-detected") != std::string::npos) {
      return ReportFork(origin, last_note, "(the log disowns the checkpoint cosigned before)",
                        "The log's tree contradicts a checkpoint its key signed.", *state, flags);
    }
    std::cerr << DescribeProblem(answer->status, answer->body) << "\n";
    return kRefused;
  }
  auto parsed = ParseJson(answer->body);
  if (!parsed.ok() || !parsed->is_object()) {
    return Trouble(Error::InvalidArgument("", "malformed-answer", "the log's answer is not JSON"),
                   kCannotRun);
  }
  const json::object& body = parsed->get_object();
  const json::value* note_value = body.if_contains("checkpoint");
  if (note_value == nullptr || !note_value->is_string()) {
    return Trouble(Error::InvalidArgument("checkpoint", "malformed-answer",
                                          "the log's answer has no checkpoint"),
                   kCannotRun);
  }
  const std::string note(note_value->get_string());
  auto proof = HexHashes(body.if_contains("hashes"));
  if (!proof.ok()) return Trouble(proof.error(), kCannotRun);

  auto line = witness.Cosign({old_size, note, *proof});
  if (!line.ok()) {
    if (line.error().reason == "fork-detected") {
      return ReportFork(origin, last_note, note, line.error().message, *state, flags);
    }
    std::cerr << "refused to cosign: ";
    return Trouble(line.error(), kRefused);
  }
  // Remember before handing the cosignature out: a witness must never forget what it signed.
  state->last_cosigned[origin] = note;
  if (Status saved = app::SaveWitnessState(flags.state_file, *state); !saved.ok()) {
    return Trouble(saved.error(), kCannotRun);
  }
  auto signed_note = ledger::ParseNote(note);
  if (!signed_note.ok()) return Trouble(signed_note.error(), kCannotRun);
  std::string cosigned = ledger::AddSignature(*signed_note, *line);
  auto handed = (*client)->Request("POST", base + "/v1/ledger/cosignatures", cosigned,
                                   {{"Content-Type", "text/plain; charset=utf-8"}});
  if (!handed.ok()) return Trouble(handed.error(), kCannotRun);
  if (handed->status != 201) {
    std::cerr << "the log did not keep the cosignature:\n"
              << DescribeProblem(handed->status, handed->body) << "\n";
    return kRefused;
  }
  auto checkpoint = ledger::ParseCheckpoint(signed_note->text);
  std::cout << "cosigned " << origin << " at tree size " << (checkpoint.ok() ? checkpoint->size : 0)
            << " (consistent with size " << old_size << "); the log keeps the cosignature\n";
  return kDone;
}

}  // namespace clearway::cli
