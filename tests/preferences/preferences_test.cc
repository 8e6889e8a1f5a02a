#include <gtest/gtest.h>

#include "preferences/preferences_json.h"
#include "preferences/rocksdb_preference_store.h"
#include "tests/log/test_util.h"

namespace segue::preferences {
namespace {

TEST(PreferencesJsonTest, AppliesTheGivenFieldsOverTheBase) {
  Result<Preferences> p = ParsePreferences(R"({"explicit": false})", Preferences{});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->explicit_content);
  p = ParsePreferences("{}", Preferences{false});
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->explicit_content);  // absent: unchanged
  EXPECT_EQ(PreferencesToJson(Preferences{false}), R"({"explicit":false})");
}

TEST(PreferencesJsonTest, RejectsUnknownFieldsWrongTypesAndNonObjectsNamingTheField) {
  Result<Preferences> p = ParsePreferences(R"({"explicit": false, "colour": "blue"})", Preferences{});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message().rfind("colour: unknown field", 0), 0u) << p.status().message();
  p = ParsePreferences(R"({"explicit": "no"})", Preferences{});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "explicit: must be true or false");
  EXPECT_FALSE(ParsePreferences("[true]", Preferences{}).ok());
  EXPECT_FALSE(ParsePreferences("{\"explicit\": fals", Preferences{}).ok());
}

TEST(RocksDbPreferenceStoreTest, PreferencesSurviveAReopen) {
  segue::testing::TempDir dir;
  {
    auto store = RocksDbPreferenceStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<Preferences> p = (*store)->Get("u1");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->explicit_content);  // never set: the defaults
    ASSERT_TRUE((*store)->Put("u1", Preferences{false}).ok());
    ASSERT_TRUE((*store)->Put("u2", Preferences{true}).ok());
  }
  auto store = RocksDbPreferenceStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Get("u1"), Preferences{false});
  EXPECT_EQ(*(*store)->Get("u2"), Preferences{true});
  EXPECT_EQ(*(*store)->Get("u3"), Preferences{});
}

TEST(RocksDbPreferenceStoreTest, CreatesMissingParentDirectories) {
  segue::testing::TempDir dir;
  auto store = RocksDbPreferenceStore::Open(dir.path() + "/not/yet/there");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
}

TEST(RocksDbPreferenceStoreTest, AnUnopenableDirectoryIsAClearError) {
  auto store = RocksDbPreferenceStore::Open("/proc/segue-no-such-dir/preferences");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/proc/segue-no-such-dir/preferences"), std::string::npos);
}

}  // namespace
}  // namespace segue::preferences
