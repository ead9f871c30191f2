// Store contract (both backends): ListDeclarations, every filter, keyset pagination and its
// refusals.
#include <set>

#include <gtest/gtest.h>

#include "store/store_contract.h"

namespace clearway::store::contract {
namespace {

using ::testing::ElementsAre;
using testing::HasCode;
using testing::HasDetail;
using ::testing::IsEmpty;
using testing::IsOk;

// Filter builds a DeclarationFilter one field at a time.
struct Filter {
  DeclarationFilter filter;
  Filter& Orgs(std::vector<std::string> ids) {
    filter.organisation_ids = std::move(ids);
    return *this;
  }
  Filter& Offices(std::vector<std::string> offices) {
    filter.offices = std::move(offices);
    return *this;
  }
  Filter& Status(std::string status) {
    filter.status = std::move(status);
    return *this;
  }
  Filter& Type(std::string type) {
    filter.type = std::move(type);
    return *this;
  }
  Filter& Channel(std::string channel) {
    filter.channel = std::move(channel);
    return *this;
  }
  Filter& From(Timestamp from) {
    filter.created_from = from;
    return *this;
  }
  Filter& To(Timestamp to) {
    filter.created_to = to;
    return *this;
  }
  operator const DeclarationFilter&() const { return filter; }  // NOLINT: implicit on purpose
};

class ListContractTest : public StoreContractTest {
 protected:
  // Ids of one page of the listing, newest first.
  std::vector<std::string> Ids(const DeclarationFilter& filter, int limit = 500) {
    auto page = store_->ListDeclarations(filter, PageRequest{limit, ""});
    EXPECT_THAT(page, IsOk());
    std::vector<std::string> ids;
    if (!page.ok()) return ids;
    for (const auto& row : page->items) ids.push_back(row.id);
    return ids;
  }

  // Files a small, varied set of declarations:
  //   A  org-1 DE1 import green   submitted  t=10
  //   B  org-1 DE2 export red     accepted   t=20
  //   C  org-2 DE1 export ""      submitted  t=30
  //   D  org-2 DE3 import green   accepted   t=40  (amended to v2: office DE3, channel green)
  void FileVariedSet() {
    auto file = [this](const std::string& id, const std::string& org, const std::string& office,
                       const std::string& type, const std::string& channel,
                       const std::string& status, int64_t t) {
      DeclarationRow row = MakeRow(id, 1, At(t));
      row.organisation_id = org;
      row.office = office;
      row.type = type;
      row.channel = channel;
      row.status = status;
      ASSERT_THAT(store_->Commit(Sealed(NewVersion(row))), IsOk());
    };
    file("A", "org-1", "DE1", "import", "green", "submitted", 10);
    file("B", "org-1", "DE2", "export", "red", "accepted", 20);
    file("C", "org-2", "DE1", "export", "", "submitted", 30);
    file("D", "org-2", "DE9", "import", "", "submitted", 40);
    DeclarationRow amended = MakeRow("D", 2, At(40));
    amended.organisation_id = "org-2";
    amended.office = "DE3";
    amended.type = "import";
    amended.channel = "green";
    amended.status = "accepted";
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(amended))), IsOk());
  }
};

TEST_P(ListContractTest, NoFilterListsLatestVersionsNewestFirst) {
  FileVariedSet();
  auto page = store_->ListDeclarations({}, PageRequest{});
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->items[0].id, "D");
  EXPECT_EQ(page->items[0].version, 2);  // the latest version, once
  EXPECT_EQ(page->items[0].office, "DE3");
  EXPECT_EQ(page->items[3].id, "A");
  EXPECT_EQ(page->next_cursor, "");
}

TEST_P(ListContractTest, FiltersByOrganisations) {
  FileVariedSet();
  EXPECT_THAT(Ids(Filter().Orgs({"org-1"})), ElementsAre("B", "A"));
  EXPECT_THAT(Ids(Filter().Orgs({"org-2", "org-1"})), ElementsAre("D", "C", "B", "A"));
  EXPECT_THAT(Ids(Filter().Orgs({"org-3"})), IsEmpty());
}

TEST_P(ListContractTest, FiltersByOffices) {
  FileVariedSet();
  EXPECT_THAT(Ids(Filter().Offices({"DE1"})), ElementsAre("C", "A"));
  EXPECT_THAT(Ids(Filter().Offices({"DE2", "DE3"})), ElementsAre("D", "B"));
  EXPECT_THAT(Ids(Filter().Offices({"DE9"})), IsEmpty());  // D's old office no longer applies
}

TEST_P(ListContractTest, FiltersByStatusTypeAndChannel) {
  FileVariedSet();
  EXPECT_THAT(Ids(Filter().Status("accepted")), ElementsAre("D", "B"));
  EXPECT_THAT(Ids(Filter().Type("export")), ElementsAre("C", "B"));
  EXPECT_THAT(Ids(Filter().Channel("green")), ElementsAre("D", "A"));
  EXPECT_THAT(Ids(Filter().Channel("yellow")), IsEmpty());
}

TEST_P(ListContractTest, StatusFilterFollowsStatusUpdates) {
  FileVariedSet();
  UnitOfWork work;
  work.status_updates.push_back({"A", 1, "released", "green", At(99), std::nullopt, ""});
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  EXPECT_THAT(Ids(Filter().Status("released")), ElementsAre("A"));
  EXPECT_THAT(Ids(Filter().Status("submitted")), ElementsAre("C"));
}

TEST_P(ListContractTest, CreatedRangeIsHalfOpen) {
  FileVariedSet();
  EXPECT_THAT(Ids(Filter().From(At(20))), ElementsAre("D", "C", "B"));
  EXPECT_THAT(Ids(Filter().To(At(30))), ElementsAre("B", "A"));
  EXPECT_THAT(Ids(Filter().From(At(20)).To(At(40))), ElementsAre("C", "B"));
  EXPECT_THAT(Ids(Filter().From(At(20)).To(At(20))), IsEmpty());
}

TEST_P(ListContractTest, FiltersCombine) {
  FileVariedSet();
  EXPECT_THAT(Ids(Filter().Orgs({"org-2"}).Offices({"DE1", "DE3"}).Type("import")),
              ElementsAre("D"));
  EXPECT_THAT(Ids(Filter().Orgs({"org-1"}).Status("accepted").Channel("red").From(At(0))),
              ElementsAre("B"));
}

TEST_P(ListContractTest, PagesCoverEverythingOnceInOrder) {
  // 120 declarations, three per timestamp so the id breaks ties inside a page and across pages.
  std::vector<std::string> expected;
  for (int idx = 0; idx < 120; ++idx) {
    char id[8];
    std::snprintf(id, sizeof(id), "D%03d", (idx * 37) % 120);  // ids not in time order
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow(id, 1, At(idx / 3))))), IsOk());
    expected.emplace_back(id);
  }
  // Newest first: by timestamp descending, then id descending within a timestamp.
  std::vector<std::string> want;
  for (int group = 39; group >= 0; --group) {
    std::vector<std::string> ids(expected.begin() + group * 3, expected.begin() + group * 3 + 3);
    std::sort(ids.rbegin(), ids.rend());
    want.insert(want.end(), ids.begin(), ids.end());
  }

  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  PageRequest request{50, ""};
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->ListDeclarations({}, request);
    ASSERT_THAT(page, IsOk());
    page_sizes.push_back(page->items.size());
    for (const auto& row : page->items) seen.push_back(row.id);
    if (page->next_cursor.empty()) break;
    request.after_cursor = page->next_cursor;
  }
  EXPECT_THAT(page_sizes, ElementsAre(50u, 50u, 20u));
  EXPECT_EQ(seen, want);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 120u);
}

TEST_P(ListContractTest, ExactMultipleOfLimitEndsWithoutEmptyPage) {
  for (int idx = 0; idx < 4; ++idx) {
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))))),
                IsOk());
  }
  auto first = store_->ListDeclarations({}, PageRequest{2, ""});
  ASSERT_THAT(first, IsOk());
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = store_->ListDeclarations({}, PageRequest{2, first->next_cursor});
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->next_cursor, "");
}

TEST_P(ListContractTest, PaginationWorksWithFilters) {
  for (int idx = 0; idx < 30; ++idx) {
    DeclarationRow row = MakeRow("D" + std::to_string(100 + idx), 1, At(idx));
    row.office = idx % 2 == 0 ? "DE1" : "DE2";
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(row))), IsOk());
  }
  std::vector<std::string> seen;
  PageRequest request{4, ""};
  while (true) {
    auto page = store_->ListDeclarations(Filter().Offices({"DE1"}), request);
    ASSERT_THAT(page, IsOk());
    for (const auto& row : page->items) {
      EXPECT_EQ(row.office, "DE1");
      seen.push_back(row.id);
    }
    if (page->next_cursor.empty()) break;
    request.after_cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_EQ(seen.front(), "D128");
  EXPECT_EQ(seen.back(), "D100");
}

TEST_P(ListContractTest, AmendmentDoesNotMoveADeclarationBetweenPages) {
  for (int idx = 0; idx < 5; ++idx) {
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))))),
                IsOk());
  }
  auto first = store_->ListDeclarations({}, PageRequest{2, ""});
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(first->items, ::testing::SizeIs(2));
  // Amend the oldest with a later created_at in the row: the head keeps version 1's time.
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("D0", 2, At(100))))), IsOk());
  std::vector<std::string> rest;
  PageRequest request{2, first->next_cursor};
  while (true) {
    auto page = store_->ListDeclarations({}, request);
    ASSERT_THAT(page, IsOk());
    for (const auto& row : page->items) rest.push_back(row.id);
    if (page->next_cursor.empty()) break;
    request.after_cursor = page->next_cursor;
  }
  EXPECT_THAT(rest, ElementsAre("D2", "D1", "D0"));
}

TEST_P(ListContractTest, BadCursorIsRefused) {
  for (const std::string& cursor : {std::string("not a cursor"), std::string("MTAwMA"),
                                    std::string("%%%"), std::string(1000, 'A')}) {
    auto page = store_->ListDeclarations({}, PageRequest{10, cursor});
    EXPECT_THAT(page, HasCode(ErrorCode::kInvalidArgument)) << cursor;
    EXPECT_THAT(page, HasDetail("cursor", "bad-cursor")) << cursor;
  }
}

TEST_P(ListContractTest, BadLimitIsRefused) {
  for (int limit : {0, -5, 501}) {
    auto page = store_->ListDeclarations({}, PageRequest{limit, ""});
    EXPECT_THAT(page, HasCode(ErrorCode::kInvalidArgument)) << limit;
    EXPECT_THAT(page, HasDetail("limit", "bad-limit")) << limit;
  }
  EXPECT_THAT(store_->ListDeclarations({}, PageRequest{500, ""}), IsOk());
}

CW_STORE_CONTRACT(ListContractTest);

}  // namespace
}  // namespace clearway::store::contract
