#include "cli/tariff_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/output.h"
#include "declaration/declaration.h"
#include "app/store_factory.h"
#include "store/postgres/url.h"
#include "tariff/tariff.h"

namespace clearway::cli {

namespace {

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;
constexpr size_t kMaxChanges = 10'000;

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

struct TariffFlags {
  std::string data_dir = "var";
  std::string store_url;  // --store / CLEARWAY_STORE: postgres://… holds the shared tariff
  std::string file;
  std::string text;
  std::string code;
  std::string origin;
  std::string date;
  std::string as_of;
  std::string since;
  size_t limit = 10;
  bool json = false;
};

int Trouble(const Error& error) {
  std::cerr << "clearway: " << error.message;
  if (!error.field_path.empty()) std::cerr << " [" << error.field_path << "]";
  if (!error.reason.empty()) std::cerr << " (" << error.reason << ")";
  std::cerr << "\n";
  for (const auto& detail : error.details) {
    std::cerr << "  " << detail.field_path << ": " << detail.reason << ": " << detail.message << "\n";
  }
  // Input problems mean the command could not run; the rest is a refusal.
  return error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kNotFound
             ? kCannotRun
             : kRefused;
}

Result<std::string> ReadText(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The tariff the flags name: the tariff_ tables of a postgres:// --store (shared by every
// node), else --data-dir's tariff.db; `create` makes the directory (imports), else it must hold
// a tariff.
Result<std::unique_ptr<tariff::TariffStore>> OpenStore(const TariffFlags& f, bool create) {
  CW_ASSIGN_OR_RETURN(app::StoreConfig config, StoreConfigOfFlags(f.data_dir, f.store_url));
  if (!app::IsPostgresStore(config)) {
    std::string path = f.data_dir + "/tariff.db";
    std::error_code ec;
    if (create) {
      std::filesystem::create_directories(f.data_dir, ec);
    } else if (!std::filesystem::exists(path, ec)) {
      return Error::NotFound("no-tariff", "no tariff at " + path +
                                              ": run `clearway tariff import` or `clearway demo`");
    }
  }
  return app::OpenTariffStore(config, "clearway-tariff-cli");
}

// Where the tariff is, for messages.
std::string TariffPlace(const TariffFlags& f) {
  if (store::postgres::IsPostgresUrl(f.store_url)) return store::postgres::RedactUrl(f.store_url);
  return f.data_dir + "/tariff.db";
}

Result<Date> DateFlag(const std::string& text, const char* flag, const SystemClock& clock) {
  if (text.empty()) return DateOf(clock.Now());
  auto date = ParseDate(text);
  if (!date.ok()) return Error::InvalidArgument(flag, "bad-date", "use YYYY-MM-DD");
  return *date;
}

Result<Timestamp> AsOfFlag(const std::string& text, const SystemClock& clock) {
  if (text.empty()) return clock.Now();
  return ParseTimestamp(text);
}

Status ImportHs(const TariffFlags& f) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadText(f.file));
  CW_ASSIGN_OR_RETURN(auto nodes, tariff::ParseHsCsv(text));
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, true));
  CW_ASSIGN_OR_RETURN(int written, store->ImportNomenclature(nodes));
  std::cout << "imported " << written << " nomenclature nodes into " << TariffPlace(f) << "\n";
  return OkStatus();
}

Status Import(const TariffFlags& f) {
  CW_ASSIGN_OR_RETURN(std::string text, ReadText(f.file));
  CW_ASSIGN_OR_RETURN(tariff::ConvertedImport converted, tariff::DetectAndParseImport(text));
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, true));
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(tariff::ImportReport report, store->Apply(converted.update, clock.Now()));
  report.skipped_lines = converted.skipped;
  report.skipped_examples = converted.skipped_examples;
  std::cout << PrettyJson(tariff::ImportReportToJson(report)) << "\n";
  return OkStatus();
}

Status Search(const TariffFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(auto hits, store->Search(f.text, f.limit));
  if (f.json) {
    std::cout << boost::json::serialize(tariff::SearchHitsToJson(hits)) << "\n";
    return OkStatus();
  }
  for (const auto& hit : hits) {
    std::cout << hit.code << "  " << hit.description << "  (" << hit.score << ")\n";
  }
  if (hits.empty()) std::cout << "no match\n";
  return OkStatus();
}

Status ShowMeasures(const TariffFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(Date date, DateFlag(f.date, "--date", clock));
  CW_ASSIGN_OR_RETURN(Timestamp as_of, AsOfFlag(f.as_of, clock));
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(auto measures,
                      tariff::FindMeasures(*store, {f.code, f.origin, date, as_of}));
  if (f.json) {
    std::cout << PrettyJson(tariff::MeasuresToJson(measures)) << "\n";
    return OkStatus();
  }
  std::cout << measures.size() << " measures on " << f.code << " from " << f.origin << " on "
            << FormatDate(date) << " (as recorded at " << FormatTimestamp(as_of) << ")\n";
  for (const auto& m : measures) {
    std::cout << "  " << tariff::MeasureTypeName(m.type) << "  " << m.id << "  code "
              << (m.commodity_code.empty() ? "(all)" : m.commodity_code) << "  geo " << m.geo;
    if (!m.duty.empty()) std::cout << "  duty " << m.duty;
    if (!m.agreement.empty()) std::cout << "  agreement " << m.agreement;
    if (!m.conditions.empty()) {
      std::cout << "  needs";
      for (const auto& c : m.conditions) std::cout << " " << c;
    }
    std::cout << "\n    legal base: " << m.legal_base << "; valid " << FormatDate(m.valid_from)
              << " to " << (m.valid_to ? FormatDate(*m.valid_to) : std::string("(open)")) << "\n";
  }
  return OkStatus();
}

Status Changes(const TariffFlags& f) {
  auto since = ParseDate(f.since);
  if (!since.ok()) return Error::InvalidArgument("--since", "bad-date", "use YYYY-MM-DD");
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(auto changes,
                      store->ChangesSince(std::chrono::sys_days(*since), kMaxChanges));
  if (f.json) {
    std::cout << PrettyJson(tariff::ChangesToJson(changes)) << "\n";
    return OkStatus();
  }
  for (const auto& c : changes) {
    std::cout << FormatTimestamp(c.measure.recorded_at) << "  " << tariff::MeasureChangeKindName(c.kind)
              << "  " << c.measure.id << "  " << c.measure.duty << "  (file " << c.file_id << ")\n";
  }
  std::cout << changes.size() << " changes since " << f.since
            << (changes.size() == kMaxChanges ? " (the first ones only: use --json or a later --since)" : "")
            << "\n";
  return OkStatus();
}

Status Quote(const TariffFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(std::string text, ReadText(f.file));
  CW_ASSIGN_OR_RETURN(auto declaration, declaration::ParseDeclarationText(text, clock.Now()));
  tariff::QuoteOptions options;
  if (!f.date.empty()) {
    CW_ASSIGN_OR_RETURN(Date date, DateFlag(f.date, "--date", clock));
    options.date = date;
  }
  if (!f.as_of.empty()) {
    CW_ASSIGN_OR_RETURN(Timestamp as_of, AsOfFlag(f.as_of, clock));
    options.as_of = as_of;
  }
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  tariff::DutyEngine engine(*store, clock);
  CW_ASSIGN_OR_RETURN(tariff::DutyQuote quote, engine.Quote(declaration, options));
  std::cout << PrettyJson(tariff::QuoteToJson(quote)) << "\n";
  return OkStatus();
}

void Run(Status (*command)(const TariffFlags&), const TariffFlags& flags) {
  Status status = command(flags);
  Finish(status.ok() ? kDone : Trouble(status.error()));
}

}  // namespace

void AddTariffCommands(CLI::App& app) {
  auto flags = std::make_shared<TariffFlags>();
  auto data_dir = [flags](CLI::App* cmd) {
    cmd->add_option("--data-dir", flags->data_dir, "Data directory holding tariff.db")
        ->capture_default_str();
    cmd->add_option("--store", flags->store_url,
                    "Store URL (env CLEARWAY_STORE): postgres://… holds the tariff shared by "
                    "every node; otherwise tariff.db in --data-dir")
        ->envname("CLEARWAY_STORE");
  };
  auto* tariff = app.add_subcommand("tariff", "The nomenclature and measures: import, search");
  tariff->require_subcommand(1);
  auto* import_hs = tariff->add_subcommand("import-hs", "Load the HS nomenclature CSV");
  import_hs->add_option("FILE", flags->file, "harmonized-system.csv")->required();
  auto* import = tariff->add_subcommand(
      "import", "Apply an update file (JSON) or the UK Global Tariff CSV, atomically, once");
  import->add_option("FILE", flags->file, "Update file")->required();
  auto* search = tariff->add_subcommand("search", "Full-text search of the nomenclature");
  search->add_option("TEXT", flags->text, "Words to find")->required();
  search->add_flag("--json", flags->json, "Print [{code, description, score}]");
  search->add_option("--limit", flags->limit, "At most this many matches")->check(CLI::Range(1, 100));

  auto* measures = app.add_subcommand("measures", "The legal measures that apply, and changes");
  measures->require_subcommand(1);
  auto* show = measures->add_subcommand("show", "Every measure on a code from an origin on a date");
  show->add_option("CODE", flags->code, "Commodity code, 2 to 10 digits")->required();
  show->add_option("--origin", flags->origin, "Country of origin, e.g. AR")->required();
  show->add_option("--date", flags->date, "YYYY-MM-DD (default today, UTC)");
  show->add_option("--as-of", flags->as_of, "The tariff as recorded then (RFC 3339)");
  show->add_flag("--json", flags->json, "Print JSON");
  auto* changes = measures->add_subcommand("changes", "Measure versions recorded since a date");
  changes->add_option("--since", flags->since, "YYYY-MM-DD")->required();
  changes->add_flag("--json", flags->json, "Print JSON");

  auto* duty = app.add_subcommand("duty", "Duty and tax quotes");
  duty->require_subcommand(1);
  auto* quote = duty->add_subcommand("quote", "Quote a declaration JSON offline");
  quote->add_option("FILE", flags->file, "Declaration JSON (docs/declaration.md)")->required();
  quote->add_option("--date", flags->date, "Date of the measures (default today, UTC)");
  quote->add_option("--as-of", flags->as_of, "The tariff as recorded then (RFC 3339)");

  for (CLI::App* cmd : {import_hs, import, search, show, changes, quote}) data_dir(cmd);
  import_hs->callback([flags] { Run(ImportHs, *flags); });
  import->callback([flags] { Run(Import, *flags); });
  search->callback([flags] { Run(Search, *flags); });
  show->callback([flags] { Run(ShowMeasures, *flags); });
  changes->callback([flags] { Run(Changes, *flags); });
  quote->callback([flags] { Run(Quote, *flags); });
}

}  // namespace clearway::cli
